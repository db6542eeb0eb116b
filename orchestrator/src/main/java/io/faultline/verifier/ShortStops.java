package io.faultline.verifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Stops shorter than the outage threshold that a fault caused, as a graceful hand-over makes
 * them ({@link FailoverAnalysis#failover}): found on the streams the failover is judged on, read
 * with the group's own account of its assignment when there is one.
 */
final class ShortStops {
    private ShortStops() {
    }

    /**
     * The stops under the outage threshold that a fault taking effect at {@code onset} caused
     * (read with {@code owners}, the group's assignment changes, when known):
     * on each stream, the gaps longer than its resolution ({@link FailoverAnalysis#resolutionMs}) that end
     * after {@code invoked} and begin before {@code onset} plus {@link FailoverAnalysis#SHORT_STOP_ONSET} and
     * before {@code until}, and after which a canary of the stream that came out within the
     * resolution was late (its latency over the baseline median {@code baselineMs} by more than
     * half the gap: it waited through the gap, where after a pause in sending it would not).
     * With the group's account, those of the partitions it handed over meanwhile; without, the
     * first and those that overlap it (one hand-over pauses several partitions). One episode;
     * null when there is none.
     */
    static FailoverAnalysis.Episode find(FailoverAnalysis.Streams streams, long invoked, long onset, long until,
                                         CanaryIndex index, long baselineMs, List<History.Ownership> owners) {
        long latest = Math.min(until, onset + FailoverAnalysis.SHORT_STOP_ONSET.toNanos());
        List<FailoverAnalysis.Stop> candidates = new ArrayList<>();
        for (Map.Entry<Integer, Completions> e : streams.streams().entrySet()) {
            Completions c = e.getValue();
            long resolution = streams.resolutions().get(e.getKey());
            for (int i = 1; i < c.size(); i++) {
                long from = c.time(i - 1);
                long to = c.time(i);
                if (to > invoked && from < latest && c.gapMs(i) > resolution
                        && waited(index, e.getKey(), to, resolution, baselineMs + c.gapMs(i) / 2)) {
                    candidates.add(new FailoverAnalysis.Stop(e.getKey(), from, to, CanaryIndex.millis(from, to), false,
                            resolution * 1_000_000));
                }
            }
        }
        // Where the group's assignment is known, a partition's short stop is the fault's only
        // when the group handed the partition over meanwhile (the others' short gaps are theirs);
        // where it is not, the stops that overlap the first one are one hand-over's.
        List<FailoverAnalysis.Stop> stops;
        if (owners.isEmpty()) {
            candidates.sort(Comparator.comparingLong(FailoverAnalysis.Stop::from));
            long firstTo = candidates.isEmpty() ? 0 : candidates.get(0).to();
            stops = candidates.stream().filter(st -> st.from() < firstTo).toList();
        } else {
            stops = candidates.stream().filter(st -> st.partition() == null
                    || handedOver(owners, st.partition(), st.from(), st.to()))
                    .sorted(Comparator.comparingLong(FailoverAnalysis.Stop::from)).toList();
        }
        if (stops.isEmpty()) {
            return null;
        }
        return new FailoverAnalysis.Episode(stops.get(0).from(), stops.stream().mapToLong(FailoverAnalysis.Stop::to).max().orElseThrow(), stops);
    }

    /**
     * Whether the group's own account has {@code partition} change hands (or lose its owner)
     * between {@code from} and {@code to}, give or take {@link FailoverAnalysis#OWNERS_SAMPLING}.
     */
    private static boolean handedOver(List<History.Ownership> owners, int partition, long from, long to) {
        long lo = from - FailoverAnalysis.OWNERS_SAMPLING.toNanos();
        long hi = to + FailoverAnalysis.OWNERS_SAMPLING.toNanos();
        boolean first = true;
        for (History.Ownership o : owners) {
            if (o.partition() != partition) {
                continue;
            }
            long at = CanaryIndex.nanos(o.at());
            if (!first && at >= lo && at <= hi) {
                return true;
            }
            first = false;
        }
        return false;
    }

    /**
     * Whether a canary of {@code partition} (null: any) that first came out within
     * {@code resolutionMs} from {@code at} took longer than {@code boundMs} end to end.
     */
    private static boolean waited(CanaryIndex index, Integer partition, long at, long resolutionMs, long boundMs) {
        long end = at + resolutionMs * 1_000_000;
        for (int i = 0; i < index.arrivals(); i++) {
            int p = index.arrivalOf(i);
            long t = index.arrivedAtNanos(i);
            if (p >= 0 && t >= at && t <= end && index.firstSeenNanos(p) == t
                    && (partition == null || partition.equals(index.partition(p)))
                    && CanaryIndex.millis(index.sentAtNanos(p), t) > boundMs) {
                return true;
            }
        }
        return false;
    }
}

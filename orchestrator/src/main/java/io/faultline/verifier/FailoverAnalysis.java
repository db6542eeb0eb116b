package io.faultline.verifier;

import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Failover analysis: per fault, the outage it caused on the canary's completions (per input
 * partition where there are several), its recovery as a bound, and the catch-up after it.
 */
final class FailoverAnalysis {
    /**
     * With several partitions, the shortest gap that counts as a partition stopped: when a member
     * leaves or joins, every member pauses for the rebalance (a few hundred milliseconds), which
     * is not the partition's outage.
     */
    static final Duration REBALANCE_PAUSE = Duration.ofMillis(500);
    /**
     * A stop under the outage threshold is the fault's own only when it began this soon after the
     * fault took effect (a graceful hand-over starts at the signal); later ones are jitter.
     */
    static final Duration SHORT_STOP_ONSET = Duration.ofSeconds(1);
    /** How far apart the group's assignment is sampled during a run, and so how late a change can be seen. */
    static final Duration OWNERS_SAMPLING = Duration.ofSeconds(1);
    private static final long NONE = Long.MIN_VALUE;

    private FailoverAnalysis() {
    }

    /**
     * Completion times by the canary's input partition: a fault that stops one partition shows
     * there even while the others flow on.
     */
    static Map<Integer, Completions> completionsByPartition(CanaryIndex index) {
        Map<Integer, Completions> out = new TreeMap<>();
        for (int partition : index.completedPartitions()) {
            out.put(partition, index.completions(partition));
        }
        return out;
    }

    /**
     * A stream's completions stopped: the gap {@code [from, to]} between two completions longer
     * than the stream's outage threshold, or ({@code open}) from its last completion to the end
     * of observation while its canaries were still pending.
     *
     * @param partition the input partition; null for the single merged stream
     */
    record Stop(Integer partition, long from, long to, long gapMs, boolean open, long thresholdNanos) {
    }

    /**
     * Stops on one or more streams at overlapping times, or less than an outage threshold apart
     * (a straggler between two gaps does not end a disruption): one disruption, whatever its cause.
     */
    record Episode(long from, long to, List<Stop> stops) {
        boolean open() {
            return stops.stream().anyMatch(Stop::open);
        }

        long gapMs() {
            return stops.stream().mapToLong(Stop::gapMs).max().orElse(0);
        }

        List<Integer> partitions() {
            return stops.stream().map(Stop::partition).filter(Objects::nonNull).distinct().sorted().toList();
        }

        FaultRecord.Disruption disruption() {
            return new FaultRecord.Disruption(CanaryIndex.instant(from), open() ? null : CanaryIndex.instant(to),
                    gapMs(), partitions());
        }
    }

    /**
     * The streams failover is judged on, each with its outage threshold: the input partitions
     * when canaries were spread over several (a fault that stops one shows there even while the
     * others flow on), else the one merged stream.
     */
    record Streams(Map<Integer, Completions> streams, Map<Integer, Duration> thresholds, Set<Integer> pending,
                   List<Episode> episodes, Map<Integer, Long> resolutions) {
        static Streams of(History h, CanaryIndex index) {
            Map<Integer, Completions> byPartition = completionsByPartition(index);
            Map<Integer, Completions> streams = new HashMap<>();
            Map<Integer, Duration> thresholds = new HashMap<>();
            Map<Integer, Long> resolutions = new HashMap<>();
            Set<Integer> pending = new HashSet<>();
            if (byPartition.size() > 1) {
                for (Map.Entry<Integer, Completions> e : byPartition.entrySet()) {
                    Duration threshold = outageThreshold(h, e.getValue(), byPartition.size());
                    streams.put(e.getKey(), e.getValue());
                    thresholds.put(e.getKey(), threshold.compareTo(REBALANCE_PAUSE) < 0 ? REBALANCE_PAUSE : threshold);
                    resolutions.put(e.getKey(), resolutionMs(h, e.getValue(), byPartition.size()));
                }
                for (int p = 0; p < index.size(); p++) {
                    if (index.partition(p) != null && !index.seen(p)) {
                        pending.add(index.partition(p));
                    }
                }
            } else {
                Completions merged = index.completions(null);
                streams.put(null, merged);
                thresholds.put(null, outageThreshold(h, merged, 1));
                resolutions.put(null, resolutionMs(h, merged, 1));
                pending.add(null);
            }
            return new Streams(streams, thresholds, pending, episodes(h, streams, thresholds, pending), resolutions);
        }

        private static List<Episode> episodes(History h, Map<Integer, Completions> streams,
                                              Map<Integer, Duration> thresholds, Set<Integer> pending) {
            List<Stop> stops = new ArrayList<>();
            long until = h.observedUntil() == null ? NONE : CanaryIndex.nanos(h.observedUntil());
            // A stream whose completions ended before sending did, with canaries still pending, never recovered.
            long stopped = h.sendingStoppedAt() == null ? until : CanaryIndex.nanos(h.sendingStoppedAt());
            for (Map.Entry<Integer, Completions> e : streams.entrySet()) {
                Completions c = e.getValue();
                long threshold = thresholds.get(e.getKey()).toMillis();
                for (int i = 1; i < c.size(); i++) {
                    for (Stretch.Gap g : c.gapsOver(i, threshold)) {
                        stops.add(new Stop(e.getKey(), CanaryIndex.nanos(g.from()), CanaryIndex.nanos(g.to()), g.ms(),
                                false, threshold * 1_000_000));
                    }
                }
                if (!c.isEmpty() && until != NONE && pending.contains(e.getKey()) && c.last() < stopped) {
                    long open = CanaryIndex.millis(c.last(), until);
                    if (open > threshold) {
                        stops.add(new Stop(e.getKey(), c.last(), until, open, true, threshold * 1_000_000));
                    }
                }
            }
            stops.sort(Comparator.comparingLong(Stop::from));
            List<Episode> out = new ArrayList<>();
            List<Stop> current = new ArrayList<>();
            long from = 0;
            long to = 0;
            for (Stop s : stops) {
                if (!current.isEmpty() && s.from() > to + s.thresholdNanos()) {
                    out.add(new Episode(from, to, List.copyOf(current)));
                    current.clear();
                }
                if (current.isEmpty()) {
                    from = s.from();
                    to = s.to();
                }
                current.add(s);
                to = Math.max(to, s.to());
            }
            if (!current.isEmpty()) {
                out.add(new Episode(from, to, List.copyOf(current)));
            }
            return out;
        }

        /** The longest gap between completions on any stream that overlaps {@code [from, to)}. */
        long longestGap(long from, long to) {
            long best = 0;
            for (Completions c : streams.values()) {
                for (int i = 1; i < c.size(); i++) {
                    if (c.time(i) > from && c.time(i - 1) < to) {
                        best = Math.max(best, c.gapMs(i));
                    }
                }
            }
            return best;
        }
    }

    /**
     * The fault's failover: the disruption under way when it was invoked, or else the first that
     * began while it held (from invocation until it was undone, or until the next fault),
     * including the stops on every partition that overlapped it (a rebalance's pause on the
     * others). Later disruptions, and the first one after it was undone (a restarted member
     * rejoining), are reported beside it and never extend it.
     *
     * <p>A fault that stops no stream for longer than its outage threshold may still stop one for
     * less, as a graceful hand-over does: a gap longer than the stream's resolution that begins
     * within {@link #SHORT_STOP_ONSET} of the fault taking effect, after which the first canaries
     * to come through were late (over the baseline's median by more than half the gap: they
     * waited, so the gap is not a pause in sending). It is reported as a short outage with its bound.
     *
     * @param nextFault when the next fault was invoked; null for the last
     * @param latency   the fault's latency figures (their pre-fault bound); null when unknown
     */
    static FaultRecord.Failover failover(FaultWindow f, Instant nextFault, History h, Streams streams,
                                         CanaryIndex index, FaultRecord.Latency latency) {
        long resolution = h.canaryInterval().toMillis();
        long invoked = CanaryIndex.nanos(f.invokedAt());
        long next = nextFault == null ? Long.MAX_VALUE : CanaryIndex.nanos(nextFault);
        Instant healed = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt();
        long held = Math.min(next, healed == null ? Long.MAX_VALUE : CanaryIndex.nanos(healed));
        if (streams.streams().values().stream().allMatch(Completions::isEmpty)) {
            long open = Duration.between(f.invokedAt(), h.observedUntil()).toMillis();
            return new FaultRecord.Failover(true, false, null, null, null, null, resolution, open, null, null);
        }
        Episode own = null;
        FaultRecord.Disruption afterHeal = null;
        List<FaultRecord.Disruption> others = new ArrayList<>();
        for (Episode e : streams.episodes()) {
            if (e.to() <= invoked || e.from() >= next) {
                continue;
            }
            if (own == null && afterHeal == null && e.from() < held) {
                own = e;
            } else if (afterHeal == null && e.from() >= held && held < next) {
                afterHeal = e.disruption();
            } else {
                others.add(e.disruption());
            }
        }
        if (own == null) {
            long until = Math.min(held, h.observedUntil() == null ? Long.MAX_VALUE
                    : CanaryIndex.nanos(h.observedUntil()));
            // Under the outage threshold, but a partition stopped when the fault took effect (a
            // graceful hand-over): a short outage with its bound, not "no outage".
            Instant effect = f.appliedAt() != null ? f.appliedAt() : f.invokedAt();
            own = latency == null ? null : ShortStops.find(streams, invoked, Math.max(invoked, CanaryIndex.nanos(effect)),
                    until, index, latency.baselineP50Ms(), h.owners());
            if (own == null) {
                return new FaultRecord.Failover(false, true, null, null, 0L, 0L, resolution,
                        streams.longestGap(invoked, until), null, null).withDisruptions(afterHeal, others);
            }
        }
        Map<Integer, FaultRecord.PartitionGap> hit = new TreeMap<>();
        for (Stop s : own.stops()) {
            if (s.partition() == null) {
                continue;
            }
            Long upper = s.open() ? null : Long.valueOf(Math.max(0, CanaryIndex.millis(invoked, s.to())));
            hit.merge(s.partition(), new FaultRecord.PartitionGap(s.partition(), s.gapMs(), upper),
                    (a, b) -> new FaultRecord.PartitionGap(a.partition(), Math.max(a.gapMs(), b.gapMs()),
                            a.upperMs() == null || b.upperMs() == null ? null : Math.max(a.upperMs(), b.upperMs())));
        }
        List<FaultRecord.PartitionGap> partitions = hit.values().stream()
                .map(g -> handOver(g, f.invokedAt(), h.owners())).toList();
        if (own.open()) {
            return new FaultRecord.Failover(true, false, CanaryIndex.instant(own.from()), null, null, null, resolution,
                    own.gapMs(), null, partitions).withDisruptions(afterHeal, others);
        }
        Instant ack = f.appliedAt() != null ? f.appliedAt() : f.invokedAt();
        Instant recovered = CanaryIndex.instant(own.to());
        long lower = Math.max(0, Duration.between(ack, recovered).toMillis());
        long upper = Math.max(0, Duration.between(f.invokedAt(), recovered).toMillis());
        return new FaultRecord.Failover(true, true, CanaryIndex.instant(own.from()), recovered, lower, upper,
                resolution, own.gapMs(), null, partitions).withDisruptions(afterHeal, others);
    }

    /**
     * {@code g} with, from the group's own account, the partition's owner when the fault was
     * invoked and the first other member it was assigned to after that, with when.
     */
    static FaultRecord.PartitionGap handOver(FaultRecord.PartitionGap g, Instant invoked,
                                             List<History.Ownership> owners) {
        String before = null;
        boolean known = false;
        for (History.Ownership o : owners) {
            if (o.partition() != g.partition()) {
                continue;
            }
            if (!o.at().isAfter(invoked)) {
                before = o.owner();
                known = true;
            } else if (known && o.owner() != null && !o.owner().equals(before)) {
                return g.withHandOver(before, o.owner(), o.at());
            }
        }
        return known ? g.withHandOver(before, null, null) : g;
    }

    /**
     * A gap between completions longer than this counts as an outage: four canary intervals (per
     * partition, when the canaries are spread over {@code partitions}), or three times the 99th
     * percentile of the gaps seen before the first fault, whichever is larger.
     */
    /**
     * The longest gap on a stream that is still not a stop of it: two canary intervals on the
     * stream ({@code partitions} streams share the canaries), or its p99 gap before the first
     * fault, whichever is longer, in milliseconds.
     */
    static long resolutionMs(History h, Completions completions, int partitions) {
        Instant firstFault = h.faults().stream().map(FaultWindow::invokedAt).min(Comparator.naturalOrder())
                .orElse(h.sendingStoppedAt());
        long spacing = h.canaryInterval().multipliedBy(2L * partitions).toMillis();
        Long p99 = firstFault == null ? null : completions.gapsBefore(CanaryIndex.nanos(firstFault)).percentile(0.99);
        return p99 == null ? spacing : Math.max(spacing, p99);
    }

    static Duration outageThreshold(History h, Completions completions, int partitions) {
        Instant firstFault = h.faults().stream().map(FaultWindow::invokedAt).min(Comparator.naturalOrder())
                .orElse(h.sendingStoppedAt());
        long floor = h.canaryInterval().multipliedBy(4L * partitions).toMillis();
        Long p99 = firstFault == null ? null : completions.gapsBefore(CanaryIndex.nanos(firstFault)).percentile(0.99);
        return Duration.ofMillis(p99 == null ? floor : Math.max(floor, 3 * p99));
    }

    /**
     * Catch-up: from recovery until every later canary's latency is back under the pre-fault
     * bound, i.e. the backlog built up during the outage has been worked off.
     */
    static FaultRecord.Failover withCatchUp(FaultRecord.Failover fo, FaultRecord.Latency latency, CanaryIndex index) {
        if (!fo.outage() || !fo.recovered() || latency == null) {
            return fo;
        }
        long recovered = CanaryIndex.nanos(fo.recoveredAt());
        long lastSlow = NONE;
        long lastSeen = NONE;
        for (int p = 0; p < index.size(); p++) {
            long seenAt = index.firstSeenNanos(p);
            if (!index.seen(p) || seenAt < recovered) {
                continue;
            }
            lastSeen = Math.max(lastSeen, seenAt);
            if (CanaryIndex.millis(index.sentAtNanos(p), seenAt) > latency.boundMs()) {
                lastSlow = Math.max(lastSlow, seenAt);
            }
        }
        for (Stretch s : index.folded()) {
            if (CanaryIndex.nanos(s.seenTo()) < recovered) {
                continue;
            }
            lastSeen = Math.max(lastSeen, CanaryIndex.nanos(s.seenTo()));
            // The latest canary over the bound is slower than every canary seen after it: when it
            // was seen before recovery, none seen since was over the bound.
            for (int k = s.slowBySeen().size() - 1; k >= 0; k--) {
                Stretch.Slow slow = s.slowBySeen().get(k);
                if (slow.ms() > latency.boundMs()) {
                    if (CanaryIndex.nanos(slow.at()) >= recovered) {
                        lastSlow = Math.max(lastSlow, CanaryIndex.nanos(slow.at()));
                    }
                    break;
                }
            }
        }
        Long catchUp = lastSlow == NONE ? Long.valueOf(0L) : lastSlow == lastSeen ? null
                : Long.valueOf(CanaryIndex.millis(recovered, lastSlow));
        return fo.withCatchUp(catchUp);
    }

}

package io.faultline.verifier;

import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
     * Failover with canaries on several input partitions: each partition is judged on its own
     * completions, and the fault's figures are those of the worst partition it stopped (not
     * recovered, else the latest recovery), with every stopped partition and its gap listed.
     */
    static FaultRecord.Failover failoverPerPartition(FaultWindow f, Instant windowEnd, History h,
                                                     Map<Integer, Completions> byPartition, CanaryIndex index) {
        Set<Integer> pending = new HashSet<>();
        for (int p = 0; p < index.size(); p++) {
            if (index.partition(p) != null && !index.seen(p)) {
                pending.add(index.partition(p));
            }
        }
        FaultRecord.Failover worst = null;
        List<FaultRecord.PartitionGap> hit = new ArrayList<>();
        for (Map.Entry<Integer, Completions> e : byPartition.entrySet()) {
            Duration threshold = outageThreshold(h, e.getValue(), byPartition.size());
            if (threshold.compareTo(REBALANCE_PAUSE) < 0) {
                threshold = REBALANCE_PAUSE;
            }
            FaultRecord.Failover fo = failover(f, windowEnd, h, e.getValue(), threshold, pending.contains(e.getKey()));
            if (fo.outage()) {
                hit.add(new FaultRecord.PartitionGap(e.getKey(), fo.availabilityGapMs(), fo.upperMs()));
            }
            if (worst == null || worse(fo, worst)) {
                worst = fo;
            }
        }
        return worst.withPartitions(hit);
    }

    private static boolean worse(FaultRecord.Failover a, FaultRecord.Failover b) {
        if (a.recovered() != b.recovered()) {
            return !a.recovered();
        }
        if (a.outage() != b.outage()) {
            return a.outage();
        }
        if (a.outage() && a.recovered()) {
            return a.upperMs() > b.upperMs();
        }
        return a.availabilityGapMs() > b.availabilityGapMs();
    }

    /**
     * A gap between completions longer than this counts as an outage: four canary intervals (per
     * partition, when the canaries are spread over {@code partitions}), or three times the 99th
     * percentile of the gaps seen before the first fault, whichever is larger.
     */
    static Duration outageThreshold(History h, Completions completions, int partitions) {
        Instant firstFault = h.faults().stream().map(FaultWindow::invokedAt).min(Comparator.naturalOrder())
                .orElse(h.sendingStoppedAt());
        long floor = h.canaryInterval().multipliedBy(4L * partitions).toMillis();
        Long p99 = firstFault == null ? null : completions.gapsBefore(CanaryIndex.nanos(firstFault)).percentile(0.99);
        return Duration.ofMillis(p99 == null ? floor : Math.max(floor, 3 * p99));
    }

    static FaultRecord.Failover failover(FaultWindow f, Instant windowEnd, History h, Completions completions,
                                                 Duration threshold) {
        return failover(f, windowEnd, h, completions, threshold, true);
    }

    /**
     * @param pending whether canaries of this stream were still unobserved when observation ended:
     *                only then is a gap still open at the end a stall rather than a stream that
     *                simply had nothing more to carry
     */
    private static FaultRecord.Failover failover(FaultWindow f, Instant windowEnd, History h, Completions completions,
                                                 Duration threshold, boolean pending) {
        long resolution = h.canaryInterval().toMillis();
        long invoked = CanaryIndex.nanos(f.invokedAt());
        long end = CanaryIndex.nanos(windowEnd);
        // The longest gap between consecutive completions that overlaps [invokedAt, windowEnd].
        Instant bestStart = null;
        Instant bestEnd = null;
        long bestGap = -1;
        for (int i = 1; i < completions.size(); i++) {
            if (completions.time(i) > invoked && completions.time(i - 1) < end) {
                long gap = completions.gapMs(i);
                if (gap > bestGap) {
                    bestGap = gap;
                    bestStart = completions.gapFrom(i);
                    bestEnd = completions.gapTo(i);
                }
            }
        }
        if (completions.isEmpty()) {
            long open = Duration.between(f.invokedAt(), h.observedUntil()).toMillis();
            return new FaultRecord.Failover(true, false, null, null, null, null, resolution, open, null, null);
        }
        // A gap still open when observation ended: no recovery.
        long previous = completions.last();
        if (previous < end && pending) {
            long open = CanaryIndex.millis(previous, CanaryIndex.nanos(h.observedUntil()));
            if (open > threshold.toMillis() && open > bestGap) {
                return new FaultRecord.Failover(true, false, CanaryIndex.instant(previous), null, null, null,
                        resolution, open, null, null);
            }
        }
        if (bestGap <= threshold.toMillis()) {
            return new FaultRecord.Failover(false, true, null, null, 0L, 0L, resolution, Math.max(bestGap, 0), null,
                    null);
        }
        Instant ack = f.appliedAt() != null ? f.appliedAt() : f.invokedAt();
        long lower = Math.max(0, Duration.between(ack, bestEnd).toMillis());
        long upper = Math.max(0, Duration.between(f.invokedAt(), bestEnd).toMillis());
        return new FaultRecord.Failover(true, true, bestStart, bestEnd, lower, upper, resolution, bestGap, null, null);
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
        return new FaultRecord.Failover(fo.outage(), fo.recovered(), fo.outageStart(), fo.recoveredAt(), fo.lowerMs(),
                fo.upperMs(), fo.resolutionMs(), fo.availabilityGapMs(), catchUp, fo.partitions());
    }

}

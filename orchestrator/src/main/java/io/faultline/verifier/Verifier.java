package io.faultline.verifier;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a run's history: works out per fault failover (as a bound, see docs/verifier.md) and
 * latency, and the delivery anomalies, then composes the checks ({@link FailoverCheck},
 * {@link LatencyCheck}, {@link PercentilesCheck}, {@link ThroughputCheck},
 * {@link HealthCheck}, {@link CircuitCheck}, {@link AlertCheck}, {@link ProbeCheck},
 * {@link DeliveryCheck}), each guarded by {@link Check#safe}. Pure: no clock, no I/O, so tests
 * feed it exact histories.
 */
public final class Verifier {
    /** How many offending event ids a check lists. */
    static final int OFFENDERS = 10;
    /**
     * With several partitions, the shortest gap that counts as a partition stopped: when a member
     * leaves or joins, every member pauses for the rebalance (a few hundred milliseconds), which
     * is not the partition's outage.
     */
    static final Duration REBALANCE_PAUSE = Duration.ofMillis(500);
    /** Latency before a fault is judged over this window just before it, clear of start-up backlog. */
    static final Duration LATENCY_BASELINE = Duration.ofSeconds(3);
    private static final long NONE = Long.MIN_VALUE;

    private Verifier() {
    }

    /** The judged parts of a verdict. */
    public record Result(List<CheckResult> checks, List<FaultRecord> faults, CanaryStats canary, Anomalies anomalies) {
    }

    public static Result verify(History h, ChecksSpec spec) {
        return verify(h, spec, List.of());
    }

    /** The checks every run is judged by, in the order they appear in a verdict. */
    private static final List<Check> CHECKS = List.of(new FailoverCheck(), new LatencyCheck(), new PercentilesCheck(),
            new ThroughputCheck(), new HealthCheck(), new CircuitCheck(), new AlertCheck(), new ProbeCheck(),
            new DeliveryCheck()).stream().map(Check::safe).toList();

    /** What a run without a canary is judged by: nothing that needs canary traffic. */
    private static final List<Check> WITHOUT_CANARY = List.of(new HealthCheck(), new CircuitCheck(), new AlertCheck(),
            new ProbeCheck()).stream().map(Check::safe).toList();

    /** As {@link #verify(History, ChecksSpec)}, with a check per steady-state probe. */
    public static Result verify(History h, ChecksSpec spec, List<ProbeSpec> probes) {
        if (!h.hasCanary()) {
            Analysis analysis = withoutCanary(h, spec, probes);
            List<CheckResult> checks = new ArrayList<>();
            WITHOUT_CANARY.forEach(c -> checks.addAll(c.check(analysis)));
            return new Result(checks, analysis.faults(), null, analysis.anomalies());
        }
        Analysis analysis = analyse(h, spec, probes);
        List<CheckResult> checks = new ArrayList<>();
        CHECKS.forEach(c -> checks.addAll(c.check(analysis)));
        return new Result(checks, analysis.faults(), stats(h, analysis), analysis.anomalies());
    }

    /** Works out, once, the figures the checks judge: per fault failover and latency, and the anomalies. */
    static Analysis analyse(History h, ChecksSpec spec, List<ProbeSpec> probes) {
        List<FaultRecord> faults = new ArrayList<>();
        CanaryIndex index = new CanaryIndex(h);
        Completions completions = index.completions(null);
        Duration threshold = outageThreshold(h, completions, 1);
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        Map<Integer, Completions> byPartition = completionsByPartition(index);
        for (int i = 0; i < windows.size(); i++) {
            FaultWindow f = windows.get(i);
            Instant windowEnd = i + 1 < windows.size() ? windows.get(i + 1).invokedAt() : h.sendingStoppedAt();
            // The baseline is steady state: nothing sent before the previous fault was healed.
            Instant steadySince = i == 0 ? null : Phases.healedAt(windows.get(i - 1), windows.get(i - 1).invokedAt());
            FaultRecord.Failover before = i == 0 ? null : faults.get(i - 1).failover();
            if (before != null && before.recoveredAt() != null && before.recoveredAt().isAfter(steadySince)) {
                steadySince = before.recoveredAt();
            }
            FaultRecord.Latency latency = latency(f, windowEnd, h, index, steadySince);
            FaultRecord.Failover failover = withCatchUp(byPartition.size() > 1
                    ? failoverPerPartition(f, windowEnd, h, byPartition, index)
                    : failover(f, windowEnd, h, completions, threshold), latency, index);
            faults.add(new FaultRecord(f.name(), f.commandId(), f.agentId(), f.faultType(), f.invokedAt(),
                    f.appliedAt(), f.healInvokedAt(), f.undoneAt(), failover, latency));
        }
        return new Analysis(h, spec, probes, windows, faults, anomalies(h, index), index, Phases.run(h, index),
                Phases.of(h, windows, index));
    }

    /** The faults as they were applied and undone, with no failover or latency to work out. */
    private static Analysis withoutCanary(History h, ChecksSpec spec, List<ProbeSpec> probes) {
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        List<FaultRecord> faults = windows.stream().map(f -> new FaultRecord(f.name(), f.commandId(), f.agentId(),
                f.faultType(), f.invokedAt(), f.appliedAt(), f.healInvokedAt(), f.undoneAt(), null, null)).toList();
        CanaryIndex index = new CanaryIndex(h);
        return new Analysis(h, spec, probes, windows, faults, anomalies(h, index), index, null, List.of());
    }

    private static CanaryStats stats(History h, Analysis analysis) {
        Anomalies anomalies = analysis.anomalies();
        CanaryIndex index = analysis.index();
        long folded = index.total() - index.size();
        long acked = folded;
        long observed = folded;
        for (int p = 0; p < index.size(); p++) {
            acked += index.acknowledged(p) ? 1 : 0;
            observed += index.seen(p) ? 1 : 0;
        }
        double rate = h.canaryInterval().isZero() ? 0 : 1e9 / h.canaryInterval().toNanos();
        return new CanaryStats(index.total(), acked, observed, anomalies.lost().size(),
                anomalies.unseen().size(), anomalies.duplicated().size(), anomalies.unexpected().size(),
                anomalies.reordered().size(), rate, analysis.run(), analysis.phases(), sentRate(h));
    }

    /** Canaries sent per second from the first send to the end of sending; null with fewer than two. */
    static Double sentRate(History h) {
        long sent = h.sentCount();
        if (sent < 2 || h.sendingStoppedAt() == null) {
            return null;
        }
        double seconds = Duration.between(h.firstSentAt(), h.sendingStoppedAt()).toNanos() / 1e9;
        return seconds <= 0 ? null : Math.round(sent / seconds * 10) / 10.0;
    }

    /**
     * Every event-level anomaly, each list in send order (unexpected: sorted by id).
     *
     * @param redelivered the duplicates whose results all report their input offset, two of them the
     *                    same: the input record was processed again (a subset of duplicated)
     * @param unexplained the duplicates with a result that reports no input offset: the cause cannot
     *                    be told (a subset of duplicated). The rest report different input offsets:
     *                    the canary reached the reporting stage twice (written twice before it)
     */
    public record Anomalies(List<String> lost, List<String> unseen, List<String> duplicated, List<String> redelivered,
                            List<String> unexplained, List<String> unexpected, List<String> reordered) {
    }

    /** Classifies every sent and observed canary; see {@link Anomalies}. */
    public static Anomalies anomalies(History h) {
        return anomalies(h, new CanaryIndex(h));
    }

    /**
     * As {@link #anomalies(History)}, on an index already built: judged from the index's arrival
     * counts (a byte per canary), looking at the arrivals of the duplicated and unexpected ones
     * only, so the cost beyond the index is the anomalies themselves.
     */
    static Anomalies anomalies(History h, CanaryIndex index) {
        java.util.TreeSet<String> unexpected = new java.util.TreeSet<>();
        Map<Integer, List<Long>> repeats = new HashMap<>();
        // Results of folded canaries that came after the fold: each a second result, its first no longer kept.
        java.util.TreeMap<Long, String> lateRepeats = new java.util.TreeMap<>();
        for (int i = 0; i < index.arrivals(); i++) {
            int p = index.arrivalOf(i);
            if (p < 0) {
                String id = index.arrival(i).id();
                Stretch s = index.foldedWith(id);
                if (s != null) {
                    lateRepeats.put(CanaryLog.seqOf(s.idPrefix(), id), id);
                } else {
                    unexpected.add(id);
                }
            } else if (index.times(p) > 1) {
                repeats.computeIfAbsent(p, k -> new ArrayList<>()).add(index.arrival(i).inputOffset());
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> redelivered = new ArrayList<>();
        List<String> unexplained = new ArrayList<>();
        for (int p : index.bySeq()) {
            // Only an anomaly is made a record: the others are judged from the index's columns.
            int q = index.canonical(p);
            if (index.times(q) == 0) {
                if (!index.acknowledged(p)) {
                    continue;
                }
                SentEvent e = index.sent(p);
                Long committed = e.partition() == null ? null : h.committed().get(e.partition());
                if (committed != null && e.offset() != null && committed > e.offset()) {
                    lost.add(e.id());
                } else {
                    unseen.add(e.id());
                }
            } else if (index.times(q) > 1) {
                String id = index.sent(p).id();
                duplicated.add(id);
                List<Long> offsets = repeats.get(q);
                boolean reported = offsets.stream().allMatch(java.util.Objects::nonNull);
                if (!reported) {
                    unexplained.add(id);
                } else if (new HashSet<>(offsets).size() < offsets.size()) {
                    redelivered.add(id);
                }
            }
        }
        if (!lateRepeats.isEmpty()) {
            duplicated = mergeBySeq(duplicated, lateRepeats, index);
            unexplained = mergeBySeq(unexplained, lateRepeats, index);
        }
        return new Anomalies(lost, unseen, duplicated, redelivered, unexplained, List.copyOf(unexpected),
                reordered(h, index));
    }

    /** {@code ids} of canaries kept whole, with {@code more} of folded ones, in sequence order. */
    private static List<String> mergeBySeq(List<String> ids, java.util.TreeMap<Long, String> more, CanaryIndex index) {
        java.util.TreeMap<Long, String> out = new java.util.TreeMap<>(more);
        for (String id : ids) {
            out.put(index.seq(index.position(id)), id);
        }
        return List.copyOf(out.values());
    }

    /**
     * Events observed (first time) after an event of the same key that was sent later: per key,
     * first observations in arrival order (output partition, then offset) must follow send order.
     */
    private static List<String> reordered(History h, CanaryIndex index) {
        int[] first = new int[index.size()];
        java.util.Arrays.fill(first, -1);
        for (int i = 0; i < index.arrivals(); i++) {
            int p = index.arrivalOf(i);
            if (p >= 0 && (first[p] < 0 || index.arrivedBefore(i, first[p]))) {
                first[p] = i;
            }
        }
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (int p = 0; p < first.length; p++) {
            if (first[p] >= 0 && index.key(p) != null) {
                byKey.computeIfAbsent(index.key(p), k -> new ArrayList<>()).add(p);
            }
        }
        List<SentEvent> out = new ArrayList<>();
        for (int p = 0; p < first.length; p++) {
            if (first[p] >= 0 && index.key(p) != null && overtakenByFolded(p, index)) {
                out.add(index.sent(p));
            }
        }
        for (List<Integer> arrivals : byKey.values()) {
            arrivals.sort((a, b) -> index.arrivedBefore(first[a], first[b]) ? -1
                    : index.arrivedBefore(first[b], first[a]) ? 1 : 0);
            long highest = Long.MIN_VALUE;
            for (int p : arrivals) {
                if (index.seq(p) < highest) {
                    out.add(index.sent(p));
                }
                highest = Math.max(highest, index.seq(p));
            }
        }
        return out.stream().sorted(Comparator.comparingLong(SentEvent::seq)).map(SentEvent::id).distinct().toList();
    }

    /**
     * Whether a folded canary of the same key, sent later, came out before canary {@code p} first
     * did: a stretch's results all came out together, so that is a stretch of later canaries with
     * its key whose results all came before.
     */
    private static boolean overtakenByFolded(int p, CanaryIndex index) {
        List<Stretch> folded = index.folded();
        if (folded.isEmpty()) {
            return false;
        }
        long seq = index.seq(p);
        long seen = index.firstSeenNanos(p);
        int lo = 0;
        int hi = folded.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (folded.get(mid).firstSeq() > seq) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        for (int j = lo; j < folded.size() && CanaryIndex.nanos(folded.get(j).seenTo()) < seen; j++) {
            if (folded.get(j).keys().contains(index.key(p))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Completion times by the canary's input partition: a fault that stops one partition shows
     * there even while the others flow on.
     */
    static Map<Integer, Completions> completionsByPartition(CanaryIndex index) {
        Map<Integer, Completions> out = new java.util.TreeMap<>();
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
        java.util.Set<Integer> pending = new java.util.HashSet<>();
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

    private static FaultRecord.Failover failover(FaultWindow f, Instant windowEnd, History h, Completions completions,
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

    /**
     * Latency before (the {@link #LATENCY_BASELINE} before injection), during and after one fault,
     * from the first observation of each canary.
     */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h, CanaryIndex index) {
        return latency(f, windowEnd, h, index, null);
    }

    /**
     * As above, with the baseline taken only from canaries sent at or after {@code steadySince}
     * (when not null). A folded stretch counts in the span its first canary was sent in.
     */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h, CanaryIndex index, Instant steadySince) {
        Instant healAt = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt() != null ? f.healInvokedAt() : windowEnd;
        long invoked = CanaryIndex.nanos(f.invokedAt());
        long baseFrom = CanaryIndex.nanos(f.invokedAt().minus(LATENCY_BASELINE));
        long steady = steadySince == null ? Long.MIN_VALUE : CanaryIndex.nanos(steadySince);
        long heal = CanaryIndex.nanos(healAt);
        long end = CanaryIndex.nanos(windowEnd);
        Counts.Builder before = new Counts.Builder();
        Counts.Builder during = new Counts.Builder();
        Counts.Builder after = new Counts.Builder();
        // The canaries sent after heal, in send order: when each was sent and how long it took.
        long[] afterSent = new long[16];
        long[] afterMs = new long[16];
        int afterN = 0;
        for (int k = 0; k < index.size(); k++) {
            int p = index.inSendOrder(k);
            if (!index.seen(p)) {
                continue;
            }
            long sentAt = index.sentAtNanos(p);
            long ms = Math.max(0, CanaryIndex.millis(sentAt, index.firstSeenNanos(p)));
            if (sentAt < invoked) {
                if (sentAt >= baseFrom && sentAt >= steady) {
                    before.add(ms);
                }
            } else if (sentAt < heal) {
                during.add(ms);
            } else if (sentAt < end) {
                after.add(ms);
                if (afterN == afterSent.length) {
                    afterSent = java.util.Arrays.copyOf(afterSent, afterN * 2);
                    afterMs = java.util.Arrays.copyOf(afterMs, afterN * 2);
                }
                afterSent[afterN] = sentAt;
                afterMs[afterN++] = ms;
            }
        }
        List<Stretch> afterFolded = new ArrayList<>();
        for (Stretch s : index.folded()) {
            long sentAt = CanaryIndex.nanos(s.sentFrom());
            if (sentAt < invoked) {
                if (sentAt >= baseFrom && sentAt >= steady) {
                    before.addAll(s.latency());
                }
            } else if (sentAt < heal) {
                during.addAll(s.latency());
            } else if (sentAt < end) {
                after.addAll(s.latency());
                afterFolded.add(s);
            }
        }
        if (before.total() < 10) {
            return null;
        }
        Counts base = before.build();
        long baseP99 = base.percentile(0.99);
        // p95, not p99: a couple of slow canaries in a short baseline must not hide the impact.
        long baseP95 = base.percentile(0.95);
        long bound = Math.max(2 * baseP95, baseP95 + 100);
        Long recoveredAfter = after.isEmpty() ? null
                : recoveredAfter(afterSent, afterMs, afterN, afterFolded, bound, heal);
        Counts held = during.build();
        return new FaultRecord.Latency(base.percentile(0.5), baseP99, held.percentile(0.5), held.percentile(0.99),
                held.percentile(1.0), after.build().percentile(0.99), bound, recoveredAfter);
    }

    /**
     * From heal until the canary sent after the last one slower than {@code bound}, in ms; 0 when
     * none was slower, null when the last canary sent was: latency had not recovered. Reads the
     * canaries sent after heal and the folded stretches among them, both in send order.
     */
    private static Long recoveredAfter(long[] sent, long[] ms, int n, List<Stretch> folded, long bound, long heal) {
        int i = n - 1;
        int j = folded.size() - 1;
        long following = NONE;
        while (i >= 0 || j >= 0) {
            if (j >= 0 && (i < 0 || CanaryIndex.nanos(folded.get(j).sentFrom()) > sent[i])) {
                Stretch s = folded.get(j--);
                // The last canary over the bound is slower than every canary sent after it.
                Stretch.Slow last = null;
                for (Stretch.Slow slow : s.slowBySend()) {
                    if (slow.ms() > bound) {
                        last = slow;
                    }
                }
                if (last != null) {
                    long next = last.next() != null ? CanaryIndex.nanos(last.next()) : following;
                    return next == NONE ? null : CanaryIndex.millis(heal, next);
                }
                following = CanaryIndex.nanos(s.sentFrom());
            } else {
                if (ms[i] > bound) {
                    return following == NONE ? null : CanaryIndex.millis(heal, following);
                }
                following = sent[i--];
            }
        }
        return 0L;
    }

}

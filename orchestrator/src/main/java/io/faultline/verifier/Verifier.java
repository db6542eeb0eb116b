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
        List<Instant> completions = h.observations().stream().map(Observation::observedAt).sorted().toList();
        Duration threshold = outageThreshold(h, completions, 1);
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        Index index = new Index(h);
        Map<Integer, List<Instant>> byPartition = completionsByPartition(h, index);
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
        return new Analysis(h, spec, probes, windows, faults, anomalies(h), index, Phases.run(h, index),
                Phases.of(h, windows, index));
    }

    /** The faults as they were applied and undone, with no failover or latency to work out. */
    private static Analysis withoutCanary(History h, ChecksSpec spec, List<ProbeSpec> probes) {
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        List<FaultRecord> faults = windows.stream().map(f -> new FaultRecord(f.name(), f.commandId(), f.agentId(),
                f.faultType(), f.invokedAt(), f.appliedAt(), f.healInvokedAt(), f.undoneAt(), null, null)).toList();
        return new Analysis(h, spec, probes, windows, faults, anomalies(h), new Index(h), null, List.of());
    }

    private static CanaryStats stats(History h, Analysis analysis) {
        Anomalies anomalies = analysis.anomalies();
        Index index = analysis.index();
        long acked = h.sent().stream().filter(SentEvent::acknowledged).count();
        long observed = h.sent().stream().filter(e -> index.firstSeen.containsKey(e.id())).count();
        double rate = h.canaryInterval().isZero() ? 0 : 1e9 / h.canaryInterval().toNanos();
        return new CanaryStats(h.sent().size(), acked, observed, anomalies.lost().size(),
                anomalies.unseen().size(), anomalies.duplicated().size(), anomalies.unexpected().size(),
                anomalies.reordered().size(), rate, analysis.run(), analysis.phases(), sentRate(h));
    }

    /** Canaries sent per second from the first send to the end of sending; null with fewer than two. */
    static Double sentRate(History h) {
        if (h.sent().size() < 2 || h.sendingStoppedAt() == null) {
            return null;
        }
        Instant first = h.sent().stream().map(SentEvent::sentAt).min(Comparator.naturalOrder()).orElseThrow();
        double seconds = Duration.between(first, h.sendingStoppedAt()).toNanos() / 1e9;
        return seconds <= 0 ? null : Math.round(h.sent().size() / seconds * 10) / 10.0;
    }

    /** Lookups every check needs, built once per verification. */
    static final class Index {
        final Map<String, SentEvent> byId;
        final Map<String, Instant> firstSeen;

        Index(History h) {
            byId = new HashMap<>(h.sent().size() * 2);
            h.sent().forEach(e -> byId.put(e.id(), e));
            firstSeen = new HashMap<>(h.observations().size() * 2);
            for (Observation o : h.observations()) {
                firstSeen.merge(o.id(), o.observedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
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
        List<SentEvent> sent = h.sent().stream().sorted(Comparator.comparingLong(SentEvent::seq)).toList();
        Map<String, SentEvent> byId = new HashMap<>(sent.size() * 2);
        sent.forEach(e -> byId.put(e.id(), e));
        // Most ids are seen once: keep the observation itself, and a list only for the repeats.
        Map<String, Object> seen = new HashMap<>(h.observations().size() * 2);
        for (Observation o : h.observations()) {
            seen.merge(o.id(), o, (a, b) -> {
                @SuppressWarnings("unchecked")
                List<Observation> l = a instanceof List<?> ? (List<Observation>) a : new ArrayList<>(List.of((Observation) a));
                l.add((Observation) b);
                return l;
            });
        }
        List<String> lost = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> redelivered = new ArrayList<>();
        List<String> unexplained = new ArrayList<>();
        for (SentEvent e : sent) {
            Object obs = seen.get(e.id());
            if (obs == null) {
                if (!e.acknowledged()) {
                    continue;
                }
                Long committed = e.partition() == null ? null : h.committed().get(e.partition());
                if (committed != null && e.offset() != null && committed > e.offset()) {
                    lost.add(e.id());
                } else {
                    unseen.add(e.id());
                }
            } else if (obs instanceof List<?> many) {
                duplicated.add(e.id());
                Set<Long> positions = new HashSet<>();
                boolean reported = true;
                for (Object o : many) {
                    Long position = ((Observation) o).inputOffset();
                    reported &= position != null;
                    positions.add(position);
                }
                if (!reported) {
                    unexplained.add(e.id());
                } else if (positions.size() < many.size()) {
                    redelivered.add(e.id());
                }
            }
        }
        List<String> unexpected = seen.keySet().stream().filter(id -> !byId.containsKey(id)).sorted().toList();
        return new Anomalies(lost, unseen, duplicated, redelivered, unexplained, unexpected,
                reordered(h, byId));
    }

    /**
     * Events observed (first time) after an event of the same key that was sent later: per key,
     * first observations in arrival order (output partition, then offset) must follow send order.
     */
    private static List<String> reordered(History h, Map<String, SentEvent> byId) {
        Map<String, Observation> first = new HashMap<>();
        for (Observation o : h.observations()) {
            first.merge(o.id(), o, (a, b) -> before(b, a) ? b : a);
        }
        Map<String, List<Observation>> byKey = new HashMap<>();
        first.values().stream().filter(o -> byId.containsKey(o.id()) && byId.get(o.id()).key() != null)
                .forEach(o -> byKey.computeIfAbsent(byId.get(o.id()).key(), k -> new ArrayList<>()).add(o));
        List<SentEvent> out = new ArrayList<>();
        for (List<Observation> arrivals : byKey.values()) {
            arrivals.sort((a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0);
            long highest = Long.MIN_VALUE;
            for (Observation o : arrivals) {
                SentEvent e = byId.get(o.id());
                if (e.seq() < highest) {
                    out.add(e);
                }
                highest = Math.max(highest, e.seq());
            }
        }
        return out.stream().sorted(Comparator.comparingLong(SentEvent::seq)).map(SentEvent::id).toList();
    }

    /** Arrival order on the output: by partition and offset; across partitions, by receive time. */
    private static boolean before(Observation a, Observation b) {
        if (a.partition() == b.partition()) {
            return a.offset() < b.offset();
        }
        return a.observedAt().isBefore(b.observedAt());
    }

    /**
     * Completion times by the canary's input partition, each sorted: a fault that stops one
     * partition shows there even while the others flow on.
     */
    static Map<Integer, List<Instant>> completionsByPartition(History h, Index index) {
        Map<Integer, List<Instant>> out = new java.util.TreeMap<>();
        for (Observation o : h.observations()) {
            SentEvent e = index.byId.get(o.id());
            if (e != null && e.partition() != null) {
                out.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(o.observedAt());
            }
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    /**
     * Failover with canaries on several input partitions: each partition is judged on its own
     * completions, and the fault's figures are those of the worst partition it stopped (not
     * recovered, else the latest recovery), with every stopped partition and its gap listed.
     */
    static FaultRecord.Failover failoverPerPartition(FaultWindow f, Instant windowEnd, History h,
                                                     Map<Integer, List<Instant>> byPartition, Index index) {
        java.util.Set<Integer> pending = new java.util.HashSet<>();
        h.sent().stream().filter(e -> e.acknowledged() && e.partition() != null && !index.firstSeen.containsKey(e.id()))
                .forEach(e -> pending.add(e.partition()));
        FaultRecord.Failover worst = null;
        List<FaultRecord.PartitionGap> hit = new ArrayList<>();
        for (Map.Entry<Integer, List<Instant>> e : byPartition.entrySet()) {
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
    static Duration outageThreshold(History h, List<Instant> completions, int partitions) {
        Instant firstFault = h.faults().stream().map(FaultWindow::invokedAt).min(Comparator.naturalOrder())
                .orElse(h.sendingStoppedAt());
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < completions.size() && completions.get(i).isBefore(firstFault); i++) {
            gaps.add(Duration.between(completions.get(i - 1), completions.get(i)).toMillis());
        }
        long floor = h.canaryInterval().multipliedBy(4L * partitions).toMillis();
        if (gaps.isEmpty()) {
            return Duration.ofMillis(floor);
        }
        gaps.sort(null);
        long p99 = gaps.get(Math.min(gaps.size() - 1, (int) Math.ceil(gaps.size() * 0.99) - 1));
        return Duration.ofMillis(Math.max(floor, 3 * p99));
    }

    private static FaultRecord.Failover failover(FaultWindow f, Instant windowEnd, History h,
                                                 List<Instant> completions, Duration threshold) {
        return failover(f, windowEnd, h, completions, threshold, true);
    }

    /**
     * @param pending whether canaries of this stream were still unobserved when observation ended:
     *                only then is a gap still open at the end a stall rather than a stream that
     *                simply had nothing more to carry
     */
    private static FaultRecord.Failover failover(FaultWindow f, Instant windowEnd, History h,
                                                 List<Instant> completions, Duration threshold, boolean pending) {
        long resolution = h.canaryInterval().toMillis();
        // The longest gap between consecutive completions that overlaps [invokedAt, windowEnd].
        Instant bestStart = null;
        Instant bestEnd = null;
        long bestGap = -1;
        Instant previous = null;
        for (Instant c : completions) {
            if (previous != null && c.isAfter(f.invokedAt()) && previous.isBefore(windowEnd)) {
                long gap = Duration.between(previous, c).toMillis();
                if (gap > bestGap) {
                    bestGap = gap;
                    bestStart = previous;
                    bestEnd = c;
                }
            }
            previous = c;
        }
        // A gap still open when observation ended: no recovery.
        if (previous != null && previous.isBefore(windowEnd) && pending) {
            long open = Duration.between(previous, h.observedUntil()).toMillis();
            if (open > threshold.toMillis() && open > bestGap) {
                return new FaultRecord.Failover(true, false, previous, null, null, null, resolution, open, null, null);
            }
        }
        if (previous == null) {
            long open = Duration.between(f.invokedAt(), h.observedUntil()).toMillis();
            return new FaultRecord.Failover(true, false, null, null, null, null, resolution, open, null, null);
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
    static FaultRecord.Failover withCatchUp(FaultRecord.Failover fo, FaultRecord.Latency latency, Index index) {
        if (!fo.outage() || !fo.recovered() || latency == null) {
            return fo;
        }
        Instant lastSlow = null;
        Instant lastSeen = null;
        for (Map.Entry<String, Instant> e : index.firstSeen.entrySet()) {
            SentEvent sent = index.byId.get(e.getKey());
            if (sent == null || e.getValue().isBefore(fo.recoveredAt())) {
                continue;
            }
            if (lastSeen == null || e.getValue().isAfter(lastSeen)) {
                lastSeen = e.getValue();
            }
            long ms = Duration.between(sent.sentAt(), e.getValue()).toMillis();
            if (ms > latency.boundMs() && (lastSlow == null || e.getValue().isAfter(lastSlow))) {
                lastSlow = e.getValue();
            }
        }
        Long catchUp = lastSlow == null ? Long.valueOf(0L)
                : lastSlow.equals(lastSeen) ? null : Long.valueOf(Duration.between(fo.recoveredAt(), lastSlow).toMillis());
        return new FaultRecord.Failover(fo.outage(), fo.recovered(), fo.outageStart(), fo.recoveredAt(), fo.lowerMs(),
                fo.upperMs(), fo.resolutionMs(), fo.availabilityGapMs(), catchUp, fo.partitions());
    }

    /**
     * Latency before (the {@link #LATENCY_BASELINE} before injection), during and after one fault,
     * from the first observation of each canary.
     */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h, Index index) {
        return latency(f, windowEnd, h, index, null);
    }

    /** As above, with the baseline taken only from canaries sent at or after {@code steadySince} (when not null). */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h, Index index, Instant steadySince) {
        Map<String, Instant> firstSeen = index.firstSeen;
        Instant healAt = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt() != null ? f.healInvokedAt() : windowEnd;
        List<Long> before = new ArrayList<>();
        List<Long> during = new ArrayList<>();
        List<long[]> after = new ArrayList<>();
        h.sent().stream().sorted(Comparator.comparing(SentEvent::sentAt)).forEach(e -> {
            Instant seenAt = firstSeen.get(e.id());
            if (seenAt == null) {
                return;
            }
            long ms = Math.max(0, Duration.between(e.sentAt(), seenAt).toMillis());
            if (e.sentAt().isBefore(f.invokedAt())) {
                if (!e.sentAt().isBefore(f.invokedAt().minus(LATENCY_BASELINE))
                        && (steadySince == null || !e.sentAt().isBefore(steadySince))) {
                    before.add(ms);
                }
            } else if (e.sentAt().isBefore(healAt)) {
                during.add(ms);
            } else if (e.sentAt().isBefore(windowEnd)) {
                after.add(new long[] {Duration.between(healAt, e.sentAt()).toMillis(), ms});
            }
        });
        if (before.size() < 10) {
            return null;
        }
        long baseP99 = percentile(before, 0.99);
        // p95, not p99: a couple of slow canaries in a short baseline must not hide the impact.
        long baseP95 = percentile(before, 0.95);
        long bound = Math.max(2 * baseP95, baseP95 + 100);
        Long recoveredAfter = 0L;
        for (int i = after.size() - 1; i >= 0; i--) {
            if (after.get(i)[1] > bound) {
                recoveredAfter = i + 1 < after.size() ? after.get(i + 1)[0] : null;
                break;
            }
        }
        if (after.isEmpty()) {
            recoveredAfter = null;
        }
        List<Long> afterMs = after.stream().map(a -> a[1]).toList();
        return new FaultRecord.Latency(percentile(before, 0.5), baseP99,
                during.isEmpty() ? null : percentile(during, 0.5), during.isEmpty() ? null : percentile(during, 0.99),
                during.isEmpty() ? null : percentile(during, 1.0), afterMs.isEmpty() ? null : percentile(afterMs, 0.99),
                bound, recoveredAfter);
    }

    static long percentile(List<Long> values, double q) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

}

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
import java.util.List;

/**
 * Judges a run's history: has the analyses work out, once, per fault failover
 * ({@link FailoverAnalysis}, as a bound, see docs/verifier.md) and latency
 * ({@link LatencyAnalysis}), and the delivery anomalies ({@link DeliveryAnalysis}), then composes
 * the checks ({@link FailoverCheck},
 * {@link LatencyCheck}, {@link PercentilesCheck}, {@link ThroughputCheck},
 * {@link HealthCheck}, {@link CircuitCheck}, {@link AlertCheck}, {@link ProbeCheck},
 * {@link DeliveryCheck}), each guarded by {@link Check#safe}. Pure: no clock, no I/O, so tests
 * feed it exact histories.
 */
public final class Verifier {
    /** How many offending event ids a check lists. */
    static final int OFFENDERS = 10;

    private Verifier() {
    }

    /** The judged parts of a verdict. */
    public record Result(List<CheckResult> checks, List<FaultRecord> faults, CanaryStats canary,
                         DeliveryAnalysis.Anomalies anomalies) {
    }

    public static Result verify(History h, ChecksSpec spec) {
        return verify(h, spec, List.of());
    }

    /** The checks every run is judged by, in the order they appear in a verdict. */
    private static final List<Check> CHECKS = List.of(new FailoverCheck(), new KafkaCheck(), new LatencyCheck(),
            new PercentilesCheck(),
            new ThroughputCheck(), new HealthCheck(), new CircuitCheck(), new AlertCheck(), new ProbeCheck(),
            new DeliveryCheck(), new DurabilityCheck(), new UndoneCheck(), new AuthenticCheck(), new ActionCheck()).stream()
            .map(Check::safe).toList();

    /** What a run without a canary is judged by: nothing that needs canary traffic. */
    private static final List<Check> WITHOUT_CANARY = List.of(new HealthCheck(), new CircuitCheck(), new AlertCheck(),
            new ProbeCheck(), new UndoneCheck(), new AuthenticCheck(), new ActionCheck()).stream().map(Check::safe)
            .toList();

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
        CanaryIndex index = CanaryIndex.of(h);
        FailoverAnalysis.Streams streams = FailoverAnalysis.Streams.of(h, index);
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        for (int i = 0; i < windows.size(); i++) {
            FaultWindow f = windows.get(i);
            Instant windowEnd = i + 1 < windows.size() ? windows.get(i + 1).invokedAt() : h.sendingStoppedAt();
            // The baseline is steady state: nothing sent before the previous fault was healed.
            Instant steadySince = i == 0 ? null : Phases.healedAt(windows.get(i - 1), windows.get(i - 1).invokedAt());
            FaultRecord.Failover before = i == 0 ? null : faults.get(i - 1).failover();
            if (before != null && before.recoveredAt() != null && before.recoveredAt().isAfter(steadySince)) {
                steadySince = before.recoveredAt();
            }
            FaultRecord.Latency latency = LatencyAnalysis.latency(f, windowEnd, h, index, steadySince);
            Instant nextFault = i + 1 < windows.size() ? windows.get(i + 1).invokedAt() : null;
            FaultRecord.Failover failover = FailoverAnalysis.withCatchUp(
                    FailoverAnalysis.failover(f, nextFault, h, streams, index, latency), latency, index);
            faults.add(new FaultRecord(f.name(), f.commandId(), f.agentId(), f.faultType(), f.invokedAt(),
                    f.appliedAt(), f.healInvokedAt(), f.undoneAt(), failover, latency,
                    KafkaAnalysis.of(h, f, nextFault)));
        }
        return new Analysis(h, spec, probes, windows, faults, DeliveryAnalysis.anomalies(h, index), index, Phases.run(h, index),
                Phases.of(h, windows, index));
    }

    /** The faults as they were applied and undone, with no failover or latency to work out. */
    private static Analysis withoutCanary(History h, ChecksSpec spec, List<ProbeSpec> probes) {
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        List<FaultRecord> faults = windows.stream().map(f -> new FaultRecord(f.name(), f.commandId(), f.agentId(),
                f.faultType(), f.invokedAt(), f.appliedAt(), f.healInvokedAt(), f.undoneAt(), null, null)).toList();
        CanaryIndex index = CanaryIndex.of(h);
        return new Analysis(h, spec, probes, windows, faults, DeliveryAnalysis.anomalies(h, index), index, null, List.of());
    }

    private static CanaryStats stats(History h, Analysis analysis) {
        DeliveryAnalysis.Anomalies anomalies = analysis.anomalies();
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
                anomalies.reordered().size(), rate, analysis.run(), analysis.phases(), sentRate(h),
                h.kafka() == null ? null : h.kafka().sendErrors(),
                h.kafka() == null || h.kafka().readBack() == null ? null
                        : Long.valueOf(h.kafka().readBack().missing().stream().map(History.Truncated::id).distinct()
                                .count() + h.kafka().readBack().foldedGone()),
                h.kafka() == null ? null : h.kafka().sendRetries());
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

}

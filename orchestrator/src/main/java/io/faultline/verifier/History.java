package io.faultline.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything the verifier judges, as plain values: what was sent, what came out, when faults
 * were injected. Built from Kafka by the engine, or by hand in tests.
 *
 * @param sendingStoppedAt when the canary producer stopped
 * @param observedUntil    when the observer stopped looking (the deadline: end of the drain window)
 * @param committed        the system under test's committed offset per input partition at the
 *                         deadline: an unobserved event below it was consumed and dropped (LOST);
 *                         empty when unknown (then nothing can be proven lost, only UNSEEN)
 * @param alerts           alert state changes reported by Alertmanager during the run
 * @param probes           samples of the scenario's steady-state probes, and of the health watches
 * @param health           what tells each fault's target is healthy again after heal: a watch's
 *                         samples are the {@code probes} named after its subject
 * @param folded           canaries folded into summaries ({@link Stretch}), in sequence order; they
 *                         are not in {@code sent} nor their results in {@code observations}
 */
public record History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                      Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                      List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                      List<ProbeSample> probes, List<HealthWatch> health, List<Stretch> folded) {
    public History {
        folded = folded == null ? List.of()
                : folded.stream().sorted(Comparator.comparingLong(Stretch::firstSeq)).toList();
        health = health == null ? List.of() : List.copyOf(health);
        // A canary log's views are already fixed and read-only; copying them would undo their compactness.
        sent = CanaryLog.isView(sent) ? sent : List.copyOf(sent);
        observations = CanaryLog.isView(observations) ? observations : List.copyOf(observations);
        faults = List.copyOf(faults);
        circuits = circuits == null ? List.of() : List.copyOf(circuits);
        committed = committed == null ? Map.of() : Map.copyOf(committed);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        probes = probes == null ? List.of() : List.copyOf(probes);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                   List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                   List<ProbeSample> probes, List<HealthWatch> health) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits, committed,
                alerts, probes, health, null);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                   List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                   List<ProbeSample> probes) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits, committed,
                alerts, probes, null, null);
    }

    /** This history with {@code stretches} folded: their canaries and results are to be left out of {@code sent} and {@code observations}. */
    public History withFolded(List<SentEvent> sent, List<Observation> observations, List<Stretch> stretches) {
        return new History(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits,
                committed, alerts, probes, health, stretches);
    }

    /** Canaries sent, folded ones included. */
    public long sentCount() {
        long n = sent.size();
        for (Stretch s : folded) {
            n += s.count();
        }
        return n;
    }

    /** The first canary's send time, folded ones included; null when none was sent. */
    public Instant firstSentAt() {
        Instant first = folded.isEmpty() ? null : folded.get(0).sentFrom();
        for (SentEvent e : sent) {
            if (first == null || e.sentAt().isBefore(first)) {
                first = e.sentAt();
            }
        }
        return first;
    }

    /**
     * A sign of health of the target of the inject step {@code fault}, sampled all run long under
     * the probe name {@code subject}: e.g. {@code group order-listeners} (the group has as many
     * members as before the first fault) or {@code service of agent-1} (the service the agent
     * watches is running).
     */
    /** False for a run without a canary (its {@code canaryInterval} is zero): no canary check applies. */
    public boolean hasCanary() {
        return canaryInterval != null && !canaryInterval.isZero();
    }

    public record HealthWatch(String fault, String subject) {
    }

    /** One sample of a steady-state probe, on the orchestrator's clock. */
    public record ProbeSample(String probe, Instant at, boolean ok, String detail) {
    }

    /** An alert started ({@code firing}) or stopped firing; {@code at} is when the orchestrator learnt of it. */
    public record AlertChange(String alertname, boolean firing, Instant at) {
    }

    /** A circuit breaker of the system under test changed state; {@code at} is the orchestrator's receive time. */
    public record CircuitChange(String service, String circuit, String to, Instant at) {
    }
}

package io.faultline.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything the verifier judges, as plain values: what was sent, what came out, when faults
 * were injected. Built from Kafka by the engine, or by hand in tests.
 *
 * @param sendingStoppedAt when the canary producer stopped
 * @param observedUntil    when the observer stopped looking (end of the drain window)
 */
public record History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                      Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                      List<CircuitChange> circuits) {
    public History {
        sent = List.copyOf(sent);
        observations = List.copyOf(observations);
        faults = List.copyOf(faults);
        circuits = circuits == null ? List.of() : List.copyOf(circuits);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, List.of());
    }

    /** A circuit breaker of the system under test changed state; {@code at} is the orchestrator's receive time. */
    public record CircuitChange(String service, String circuit, String to, Instant at) {
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A service under test reports that one of its circuit breakers changed state (for example the
 * order listener's breaker around Redis). Published by the service, not by an agent.
 *
 * @param service the reporting instance, e.g. {@code listener-1}
 * @param circuit what the breaker guards, e.g. {@code redis}
 */
public record CircuitEvent(String runId, String service, Instant at, String circuit, State from, State to)
        implements TelemetryEvent {
    public static final String TYPE = "service.circuit";

    /** Breaker states, as resilience4j names them. */
    public enum State {
        @JsonProperty("closed") CLOSED,
        @JsonProperty("open") OPEN,
        @JsonProperty("half_open") HALF_OPEN,
        @JsonProperty("disabled") DISABLED,
        @JsonProperty("forced_open") FORCED_OPEN,
        @JsonProperty("metrics_only") METRICS_ONLY
    }

    public CircuitEvent {
        Checks.id("service", service);
        Checks.required("at", at);
        Checks.id("circuit", circuit);
        Checks.required("from", from);
        Checks.required("to", to);
    }

    @JsonIgnore
    @Override
    public String agentId() {
        return service;
    }

    @JsonIgnore
    @Override
    public String recordKey() {
        return runId != null ? runId : "service:" + service;
    }
}

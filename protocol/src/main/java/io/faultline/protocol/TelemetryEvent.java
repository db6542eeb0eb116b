package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * An event on the telemetry topic. {@code at} is the sender's clock; the orchestrator stamps
 * its own receive time beside it and decides only on its own clock.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = AgentHeartbeat.class, name = AgentHeartbeat.TYPE),
    @JsonSubTypes.Type(value = CommandEvent.class, name = CommandEvent.TYPE),
    @JsonSubTypes.Type(value = CircuitEvent.class, name = CircuitEvent.TYPE),
    @JsonSubTypes.Type(value = AlertEvent.class, name = AlertEvent.TYPE),
    @JsonSubTypes.Type(value = RunRecord.class, name = RunRecord.TYPE),
})
public sealed interface TelemetryEvent permits AgentHeartbeat, CommandEvent, CircuitEvent, AlertEvent, RunRecord {
    /** The run this event belongs to, or null for run-independent events such as heartbeats. */
    String runId();

    /** Who sent the event: an agent's id, or a service instance's name. */
    String agentId();

    Instant at();

    /** The Kafka record key: the run id, or the agent id for events outside any run. */
    @JsonIgnore
    default String recordKey() {
        return runId() != null ? runId() : "agent:" + agentId();
    }
}

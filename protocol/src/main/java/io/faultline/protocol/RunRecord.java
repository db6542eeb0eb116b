package io.faultline.protocol;

import java.time.Instant;

/**
 * One part of a run's audit record (type {@code run.record}): everything the verifier judged
 * (the checks and the history on the orchestrator's clock), as JSON text cut into parts that fit
 * in Kafka records. {@code faultline replay} joins the parts in order and verifies again.
 *
 * @param part  0-based index of this part
 * @param parts how many parts the record has
 * @param body  this part's slice of the record's JSON text
 */
public record RunRecord(String runId, String agentId, Instant at, int part, int parts, String body)
        implements TelemetryEvent {
    public static final String TYPE = "run.record";

    public RunRecord {
        Checks.id("runId", runId);
        Checks.id("agentId", agentId);
        Checks.required("at", at);
        Checks.required("body", body);
        if (part < 0 || parts < 1 || part >= parts) {
            throw new InvalidFieldException("part", part + " of " + parts + " is out of range");
        }
    }
}

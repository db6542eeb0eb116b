package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The final word on a run, published once to the verdicts topic and written as {@code verdict.json}.
 * All instants are on the orchestrator's clock.
 *
 * @param reason why the run was aborted or errored; null when it ran to the end
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verdict(int schemaVersion, String runId, String scenario, Status status, String reason,
                      Instant startedAt, Instant finishedAt, List<CheckResult> checks,
                      List<FaultRecord> faults, CanaryStats canary) {
    public static final int SCHEMA_VERSION = 2;

    /** PASSED: every check passed. FAILED: a check failed. ABORTED: stopped early. ERROR: the run could not be carried out. */
    public enum Status {
        PASSED, FAILED, ABORTED, ERROR
    }

    public Verdict {
        Checks.id("runId", runId);
        Checks.required("scenario", scenario);
        Checks.required("status", status);
        checks = Checks.copy(checks);
        faults = Checks.copy(faults);
    }

    /** A run that went to the end and was judged: PASSED when every check passed, else FAILED. */
    public static Verdict judged(String runId, String scenario, Instant startedAt, Instant finishedAt,
                                 List<CheckResult> checks, List<FaultRecord> faults, CanaryStats canary) {
        return new Verdict(SCHEMA_VERSION, runId, scenario, statusOf(checks), null, startedAt, finishedAt, checks,
                faults, canary);
    }

    /** A run that could not start its steps (no agent, no canary traffic, Kafka refused): nothing was recorded. */
    public static Verdict error(String runId, String scenario, String reason, Instant startedAt, Instant finishedAt) {
        return new Verdict(SCHEMA_VERSION, runId, scenario, Status.ERROR, reason, startedAt, finishedAt, List.of(),
                List.of(), null);
    }

    /**
     * A run stopped early, ABORTED (a halt, a stop condition) or ERROR (a step could not be carried
     * out), with the checks, faults and canary counts judged on what it had recorded until then
     * (canaries still in flight count as unseen); every fault it applied was undone.
     */
    public static Verdict stoppedEarly(Status status, String runId, String scenario, String reason, Instant startedAt,
                                       Instant finishedAt, List<CheckResult> checks, List<FaultRecord> faults,
                                       CanaryStats canary) {
        if (status != Status.ABORTED && status != Status.ERROR) {
            throw new IllegalArgumentException("a run that stopped early is ABORTED or ERROR, not " + status);
        }
        return new Verdict(SCHEMA_VERSION, runId, scenario, status, reason, startedAt, finishedAt, checks, faults,
                canary);
    }

    public static Status statusOf(List<CheckResult> checks) {
        return checks.stream().allMatch(CheckResult::passed) ? Status.PASSED : Status.FAILED;
    }
}

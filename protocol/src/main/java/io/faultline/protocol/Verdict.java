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

    public static Status statusOf(List<CheckResult> checks) {
        return checks.stream().allMatch(CheckResult::passed) ? Status.PASSED : Status.FAILED;
    }
}

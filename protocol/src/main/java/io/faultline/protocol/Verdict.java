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

    /**
     * The most a published verdict takes: well under the 1 MB a Kafka topic takes by default, so
     * that a run's verdict always reaches the verdicts topic, the history and the exporter.
     */
    public static final int MAX_BYTES = 256 * 1024;
    /** Beyond {@link #MAX_BYTES}, what each text keeps. */
    static final int CUT_SUMMARY = 1000;
    static final int CUT_OFFENDER = 200;

    /**
     * This verdict, or when its JSON is larger than {@code maxBytes}, the same verdict with every
     * summary, reason and offending id cut (each cut says so and how long it was), and each
     * fault's list of other disruptions cut to ten: the status and every figure stay.
     */
    public Verdict bounded(int maxBytes) {
        if (Json.encode(this).length <= maxBytes) {
            return this;
        }
        List<CheckResult> cut = checks.stream().map(c -> new CheckResult(c.name(), c.outcome(), c.measured(),
                c.threshold(), c.unit(), cut(c.summary(), CUT_SUMMARY),
                c.offenders().stream().map(o -> cut(o, CUT_OFFENDER)).toList())).toList();
        List<FaultRecord> fewer = faults.stream().map(f -> f.failover() == null || f.failover().others().size() <= 10 ? f
                : new FaultRecord(f.name(), f.commandId(), f.agentId(), f.faultType(), f.invokedAt(), f.appliedAt(),
                        f.healInvokedAt(), f.undoneAt(), f.failover().withDisruptions(f.failover().afterHeal(),
                                f.failover().others().subList(0, 10)), f.latency())).toList();
        return new Verdict(schemaVersion, runId, scenario, status, cut(reason, CUT_SUMMARY), startedAt, finishedAt, cut,
                fewer, canary);
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text
                : text.substring(0, max) + "... (truncated: " + text.length() + " characters)";
    }

    public static Status statusOf(List<CheckResult> checks) {
        return checks.stream().allMatch(CheckResult::passed) ? Status.PASSED : Status.FAILED;
    }
}

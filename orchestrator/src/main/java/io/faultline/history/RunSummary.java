package io.faultline.history;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One game-day as the history shows it, from its verdict.
 *
 * @param failoverMs the largest failover upper bound of its faults; null when none had an outage
 *                   with a recovery (see {@code notRecovered})
 * @param p99Ms      canary latency p99 over the run; null when it was not measured
 * @param lost       null when the run has no counts (an ERROR before the canary flowed)
 * @param failed     the names of the checks that did not pass, in the verdict's order
 */
public record RunSummary(String runId, String scenario, Verdict.Status status, Instant finishedAt, Long failoverMs,
                         boolean notRecovered, Long lost, Long duplicated, Long p99Ms, long checksFailed,
                         List<String> failed) {
    public RunSummary {
        failed = failed == null ? List.of() : List.copyOf(failed);
    }

    public static RunSummary of(Verdict v) {
        Long failover = v.faults().stream().map(FaultRecord::failover).filter(Objects::nonNull)
                .filter(f -> f.outage() && f.recovered() && f.upperMs() != null).map(FaultRecord.Failover::upperMs)
                .max(Long::compare).orElse(null);
        boolean notRecovered = v.faults().stream().map(FaultRecord::failover).filter(Objects::nonNull)
                .anyMatch(f -> !f.recovered());
        var c = v.canary();
        return new RunSummary(v.runId(), v.scenario(), v.status(), v.finishedAt(), failover, notRecovered,
                c == null ? null : c.lost(), c == null ? null : c.duplicated(),
                c == null || c.run() == null ? null : c.run().p99Ms(),
                v.checks().stream().filter(x -> !x.passed()).count(),
                v.checks().stream().filter(x -> !x.passed()).map(CheckResult::name).toList());
    }
}

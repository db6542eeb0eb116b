package io.faultline.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.ChecksSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run against the median of its scenario's recent passed runs. */
class RegressionCheckTest {
    private static final Instant T0 = Instant.parse("2026-11-25T03:00:00Z");

    private static RunSummary run(String id, String scenario, Verdict.Status status, Long failoverMs, Long p99) {
        return new RunSummary(id, scenario, status, T0, failoverMs, false, 0L, 0L, p99, 0, List.of());
    }

    private static List<RunSummary> nightly(long... failovers) {
        List<RunSummary> out = new ArrayList<>();
        for (int i = 0; i < failovers.length; i++) {
            out.add(run("night-" + i, "primary", Verdict.Status.PASSED, failovers[i], 400L));
        }
        return out;
    }

    private static final ChecksSpec.Regression SPEC = new ChecksSpec.Regression("1.5x", "1.5x", 5);

    @Test
    void aRunMuchSlowerThanTheMedianOfItsRecentPassedRunsFailsWithTheBaseline() {
        List<RunSummary> past = new ArrayList<>(nightly(3000, 3200, 9000, 3100, 3300));
        past.add(run("other", "redis-outage", Verdict.Status.PASSED, 50L, 10L));
        past.add(run("failed", "primary", Verdict.Status.FAILED, 90L, 10L));

        List<CheckResult> checks = RegressionCheck.judge(SPEC, run("tonight", "primary", Verdict.Status.PASSED, 5200L,
                410L), past);

        assertThat(checks).extracting(CheckResult::name).containsExactly("regression[failover]",
                "regression[latencyP99]");
        CheckResult failover = checks.get(0);
        assertThat(failover.passed()).isFalse();
        assertThat(failover.measured()).isEqualTo(5200.0);
        assertThat(failover.threshold()).isEqualTo(4800.0);
        assertThat(failover.summary()).isEqualTo("failover bound 5200 ms is 1.63x the median 3200 ms of the last 5 passed"
                + " runs (night-0 .. night-4), limit 1.5x = 4800 ms: a regression");
        assertThat(checks.get(1).passed()).isTrue();
    }

    @Test
    void aRunWithinTheFactorPassesAndTooFewRunsAreNotCompared() {
        assertThat(RegressionCheck.judge(SPEC, run("tonight", "primary", Verdict.Status.PASSED, 4000L, 400L),
                nightly(3000, 3200, 9000, 3100, 3300))).allMatch(CheckResult::passed);

        List<CheckResult> few = RegressionCheck.judge(SPEC, run("tonight", "primary", Verdict.Status.PASSED, 99_000L,
                400L), nightly(3000, 3200));
        assertThat(few).singleElement().satisfies(c -> {
            assertThat(c.passed()).isTrue();
            assertThat(c.summary()).isEqualTo("not compared: 2 passed run(s) of primary on the verdicts topic, 5 needed "
                    + "for a baseline");
        });
    }
}

package io.faultline.history;

import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.ChecksSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * A run against its own past: its failover bound and canary p99 against the median of the last
 * {@code baseline} PASSED runs of the same scenario ({@code regression[failover]},
 * {@code regression[latencyP99]}). Pure: the caller reads the history.
 */
public final class RegressionCheck {
    /** The family name of the regression checks. */
    public static final String NAME = "regression";

    private RegressionCheck() {
    }

    /**
     * @param current the run being judged
     * @param past    earlier runs, oldest first, of any scenario (the current one is ignored if present)
     */
    public static List<CheckResult> judge(ChecksSpec.Regression spec, RunSummary current, List<RunSummary> past) {
        List<RunSummary> passed = past.stream().filter(r -> r.scenario().equals(current.scenario()))
                .filter(r -> !r.runId().equals(current.runId()))
                .filter(r -> r.status() == Verdict.Status.PASSED).toList();
        List<RunSummary> baseline = passed.subList(Math.max(0, passed.size() - spec.baseline()), passed.size());
        List<CheckResult> out = new ArrayList<>();
        if (baseline.size() < spec.baseline()) {
            out.add(new CheckResult(NAME, Outcome.PASS, null, null, null, "not compared: " + baseline.size()
                    + " passed run(s) of " + current.scenario() + " on the verdicts topic, " + spec.baseline()
                    + " needed for a baseline", List.of()));
            return out;
        }
        if (spec.failoverFactor() != null) {
            out.add(compare("failover", "failover bound", spec.failoverFactor(), current, baseline, RunSummary::failoverMs));
        }
        if (spec.latencyP99Factor() != null) {
            out.add(compare("latencyP99", "canary p99", spec.latencyP99Factor(), current, baseline, RunSummary::p99Ms));
        }
        return out;
    }

    private static CheckResult compare(String subject, String what, double factor, RunSummary current,
                                       List<RunSummary> baseline, Function<RunSummary, Long> figure) {
        String name = NAME + "[" + subject + "]";
        List<Long> values = baseline.stream().map(figure).filter(Objects::nonNull).sorted().toList();
        Long now = figure.apply(current);
        if (values.isEmpty()) {
            return new CheckResult(name, Outcome.PASS, now == null ? null : (double) now, null, "ms", "not compared: "
                    + "none of the last " + baseline.size() + " passed runs measured a " + what, List.of());
        }
        double median = values.size() % 2 == 1 ? values.get(values.size() / 2)
                : (values.get(values.size() / 2 - 1) + values.get(values.size() / 2)) / 2.0;
        double limit = median * factor;
        String base = String.format(Locale.ROOT, "median %.0f ms of the last %d passed runs (%s), limit %.1fx = %.0f ms",
                median, baseline.size(), baseline.get(0).runId() + " .. " + baseline.get(baseline.size() - 1).runId(),
                factor, limit);
        if (now == null) {
            return new CheckResult(name, Outcome.PASS, null, limit, "ms", "no " + what + " in this run; " + base,
                    List.of());
        }
        boolean ok = now <= limit;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) now, limit, "ms",
                String.format(Locale.ROOT, "%s %d ms is %.2fx the %s", what, now, median == 0 ? 0 : now / median, base)
                        + (ok ? "" : ": a regression"), List.of());
    }
}

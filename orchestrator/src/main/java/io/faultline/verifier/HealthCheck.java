package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Per fault: the target is healthy again after heal, so a service that died after its heal (or
 * never came back) fails the run. Judged on the history's health watches (the consumer group has
 * its members back, the supervised service runs) and on the probe {@code checks.healthy.probe}
 * names: from heal on, the last sample of each must hold, and they must all hold from some moment
 * on; that moment, after heal, is the figure, within {@code checks.healthy.within} when set.
 */
final class HealthCheck implements Check {
    static final String NAME = "healthy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        ChecksSpec.Healthy spec = a.spec().healthy();
        List<CheckResult> out = new ArrayList<>();
        List<FaultWindow> windows = a.windows();
        for (FaultWindow w : windows) {
            Set<String> subjects = new LinkedHashSet<>();
            a.history().health().stream().filter(hw -> hw.fault().equals(w.name())).forEach(hw -> subjects.add(hw.subject()));
            if (spec != null && spec.probe() != null) {
                subjects.add(spec.probe());
            }
            if (!subjects.isEmpty()) {
                out.add(judge(a.history(), w, Phases.label(w, windows), subjects, spec == null ? null : spec.within()));
            }
        }
        return out;
    }

    static CheckResult judge(History h, FaultWindow w, String label, Set<String> subjects, Duration within) {
        String name = CheckNames.perFault(NAME, label);
        Instant healed = Phases.healedAt(w, null);
        Double threshold = within == null ? null : (double) within.toMillis();
        if (healed == null) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms",
                    "the fault was never healed, so its target's health after heal cannot be judged", List.of());
        }
        Instant healthySince = healed;
        List<String> sick = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String subject : subjects) {
            List<History.ProbeSample> after = h.probes().stream().filter(s -> s.probe().equals(subject))
                    .filter(s -> !s.at().isBefore(healed)).sorted(Comparator.comparing(History.ProbeSample::at))
                    .toList();
            if (after.isEmpty()) {
                sick.add(subject + ": not sampled after heal");
                continue;
            }
            History.ProbeSample last = after.get(after.size() - 1);
            if (!last.ok()) {
                sick.add(subject + ": " + last.detail() + " at the end of the run");
                continue;
            }
            seen.add(subject + ": " + last.detail());
            for (int i = after.size() - 1; i >= 0; i--) {
                if (!after.get(i).ok()) {
                    Instant back = after.get(i + 1).at();
                    if (back.isAfter(healthySince)) {
                        healthySince = back;
                    }
                    break;
                }
            }
        }
        if (!sick.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", "not healthy after heal: "
                    + String.join("; ", sick), List.of());
        }
        long ms = Duration.between(healed, healthySince).toMillis();
        boolean ok = within == null || ms <= within.toMillis();
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) ms, threshold, "ms",
                "healthy " + ms + " ms after heal" + (ok ? "" : ", later than the " + within.toMillis() + " ms allowed")
                        + " (" + String.join("; ", seen) + ")", List.of());
    }
}

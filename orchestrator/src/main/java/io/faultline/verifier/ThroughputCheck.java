package io.faultline.verifier;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Per fault, when the scenario sets {@code throughput: {duringFault: 90%}}: canaries completed per
 * second while the fault was held, as a share of the steady state before the first fault.
 */
final class ThroughputCheck implements Check {
    static final String NAME = "throughput";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        if (a.spec().throughput() == null) {
            return List.of();
        }
        double share = a.spec().throughput().ratio();
        Optional<CanaryStats.Phase> steady = a.phases().stream().filter(p -> p.name().equals(Phases.BEFORE)).findFirst();
        List<CheckResult> out = new ArrayList<>();
        for (CanaryStats.Phase p : a.phases()) {
            if (!p.name().startsWith("during ")) {
                continue;
            }
            String fault = p.name().substring(7);
            String name = CheckNames.perFault(NAME, fault);
            if (steady.isEmpty() || steady.get().throughputPerSecond() <= 0) {
                out.add(new CheckResult(name, Outcome.FAIL, null, percent(share), "%",
                        "no steady-state throughput to compare with: no canary completed before the first fault",
                        List.of()));
                continue;
            }
            double base = steady.get().throughputPerSecond();
            double kept = p.throughputPerSecond() / base;
            boolean ok = kept + 1e-9 >= share;
            out.add(new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, percent(kept), percent(share), "%",
                    p.throughputPerSecond() + " canaries/s completed while " + fault + " was held, "
                            + Math.round(kept * 100) + "% of the " + base + "/s before the first fault"
                            + (ok ? "" : ", under the " + Math.round(share * 100) + "% it must keep"), List.of()));
        }
        return out;
    }

    private static double percent(double share) {
        return Math.round(share * 1000) / 10.0;
    }
}

package io.faultline.verifier;

import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.CheckResult;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The named circuit breaker opened during a fault and closed again soon after heal. */
final class CircuitCheck implements Check {
    @Override
    public String name() {
        return CheckNames.CIRCUIT;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        return a.spec().circuit() == null ? List.of() : List.of(circuitCheck(a.history(), a.windows(), a.spec().circuit()));
    }

    /** The named breaker opened during a fault and every breaker that opened was closed again soon after heal. */
    static CheckResult circuitCheck(History h, List<FaultWindow> windows, ChecksSpec.CircuitCheck spec) {
        String name = CheckNames.perFault(CheckNames.CIRCUIT, spec.name());
        double threshold = spec.closesWithin().toMillis();
        if (windows.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", "no fault was injected", List.of());
        }
        Instant firstFault = windows.get(0).invokedAt();
        FaultWindow last = windows.get(windows.size() - 1);
        Instant healAt = last.undoneAt() != null ? last.undoneAt() : last.healInvokedAt() != null ? last.healInvokedAt()
                : h.sendingStoppedAt();
        Map<String, History.CircuitChange> lastChange = new LinkedHashMap<>();
        Set<String> opened = new TreeSet<>();
        h.circuits().stream().filter(c -> c.circuit().equals(spec.name()) && !c.at().isBefore(firstFault))
                .sorted(Comparator.comparing(History.CircuitChange::at)).forEach(c -> {
                    if (c.to().equals("open")) {
                        opened.add(c.service());
                    }
                    lastChange.put(c.service(), c);
                });
        if (opened.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms",
                    "the " + spec.name() + " circuit never opened during the fault", List.of());
        }
        List<String> stillOpen = new ArrayList<>();
        long worst = 0;
        for (String service : opened) {
            History.CircuitChange c = lastChange.get(service);
            if (!c.to().equals("closed")) {
                stillOpen.add(service);
            } else {
                worst = Math.max(worst, Duration.between(healAt, c.at()).toMillis());
            }
        }
        if (!stillOpen.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", "opened on " + opened
                    + " and never closed again on " + stillOpen, stillOpen);
        }
        boolean ok = worst <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) Math.max(0, worst), threshold, "ms",
                "opened on " + opened + " during the fault, all closed again " + Math.max(0, worst) + " ms after heal"
                        + (ok ? "" : ", over the " + spec.closesWithin().toMillis() + " ms limit"), List.of());
    }
}

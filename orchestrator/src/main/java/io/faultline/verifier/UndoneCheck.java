package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import java.util.List;

/**
 * No fault left behind, as far as the run could see: every fault it applied has its agent's
 * {@code undone} report. A fault whose undo was not confirmed (the agent is gone, or its undo is
 * still being tried again) may still be in place when the run ends: the check fails and names it,
 * with the lease that will undo it if the agent lives.
 */
final class UndoneCheck implements Check {
    static final String NAME = "undone";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        if (a.windows().isEmpty()) {
            return List.of();
        }
        List<String> open = a.windows().stream().filter(w -> w.undoneAt() == null)
                .map(w -> Phases.label(w, a.windows()) + " (" + w.faultType() + " on " + w.agentId() + ")").toList();
        if (open.isEmpty()) {
            return List.of(new CheckResult(NAME, Outcome.PASS, 0.0, 0.0, "faults", "every one of the "
                    + a.windows().size() + " fault(s) applied was confirmed undone by its agent", List.of()));
        }
        return List.of(new CheckResult(NAME, Outcome.FAIL, (double) open.size(), 0.0, "faults", open.size()
                + " fault(s) with no undo confirmed by their agent when the run ended, which may still be in place "
                + "(their agents keep trying, and their leases undo them): " + String.join(", ", open),
                open.subList(0, Math.min(Verifier.OFFENDERS, open.size()))));
    }
}

package io.faultline.verifier;

import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ProbeSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** Per steady-state probe: its samples held in its mode (before, during, after, continuous). */
final class ProbeCheck implements Check {
    @Override
    public String name() {
        return CheckNames.PROBE;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        List<CheckResult> out = new ArrayList<>();
        for (ProbeSpec probe : a.probes()) {
            out.add(probeCheck(a.history(), a.faults(), probe));
        }
        return out;
    }

    /**
     * A probe's samples in the phase its mode names: at most {@code failures} may fail; for
     * {@code after}, the last sample must hold too (the system must be back by the end).
     */
    static CheckResult probeCheck(History h, List<FaultRecord> faults, ProbeSpec spec) {
        Instant firstFault = faults.stream().map(FaultRecord::invokedAt).min(Comparator.naturalOrder()).orElse(null);
        Instant lastHeal = faults.stream().map(f -> f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt())
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
        List<History.ProbeSample> mine = h.probes().stream().filter(s -> s.probe().equals(spec.name()))
                .sorted(Comparator.comparing(History.ProbeSample::at)).filter(s -> switch (spec.mode()) {
                    case BEFORE -> firstFault == null || s.at().isBefore(firstFault);
                    case DURING -> faults.stream().anyMatch(f -> !s.at().isBefore(f.appliedAt() != null ? f.appliedAt()
                            : f.invokedAt()) && (f.undoneAt() == null && f.healInvokedAt() == null
                            || s.at().isBefore(f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt())));
                    case AFTER -> lastHeal != null && !s.at().isBefore(lastHeal);
                    case CONTINUOUS -> true;
                }).toList();
        String name = CheckNames.perFault(CheckNames.PROBE, spec.name());
        String phase = spec.mode().wireName();
        if (mine.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, (double) spec.failures(), "samples",
                    "no sample was taken " + phase, List.of());
        }
        List<History.ProbeSample> failed = mine.stream().filter(s -> !s.ok()).toList();
        boolean endsHealthy = mine.get(mine.size() - 1).ok();
        boolean ok = failed.size() <= spec.failures() && (spec.mode() != ProbeSpec.Mode.AFTER || endsHealthy);
        String summary = failed.size() + " of " + mine.size() + " samples failed (" + phase + ")"
                + (failed.isEmpty() ? "; last: " + mine.get(mine.size() - 1).detail()
                        : "; first failure at " + failed.get(0).at() + ": " + failed.get(0).detail())
                + (spec.mode() == ProbeSpec.Mode.AFTER && !endsHealthy ? "; still failing at the end" : "");
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) failed.size(), (double) spec.failures(),
                "samples", summary, List.of());
    }
}

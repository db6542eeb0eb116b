package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Per fault: canary latency after recovery back within the scenario's bound. */
final class LatencyCheck implements Check {
    @Override
    public String name() {
        return CheckNames.LATENCY;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        List<CheckResult> out = new ArrayList<>();
        for (int i = 0; i < a.windows().size(); i++) {
            FaultRecord.Latency latency = a.faults().get(i).latency();
            if (latency != null && latency.afterP99Ms() != null) {
                out.add(latencyCheck(a.windows().get(i), latency, a.spec().latencyRecovery()));
            }
        }
        return out;
    }

    static CheckResult latencyCheck(FaultWindow f, FaultRecord.Latency l, Duration max) {
        String name = CheckNames.perFault(CheckNames.LATENCY, f.name());
        Double threshold = max == null ? null : (double) max.toMillis();
        String impact = "canary latency p50/p99 " + l.baselineP50Ms() + "/" + l.baselineP99Ms() + " ms before the fault, "
                + (l.duringP99Ms() == null ? "no canary completed during it"
                        : l.duringP50Ms() + "/" + l.duringP99Ms() + " ms during it (max " + l.duringMaxMs() + " ms)");
        if (l.recoveredAfterMs() == null) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", impact + "; still above " + l.boundMs()
                    + " ms when the run ended", List.of());
        }
        boolean ok = threshold == null || l.recoveredAfterMs() <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) l.recoveredAfterMs(), threshold, "ms",
                impact + "; back under " + l.boundMs() + " ms " + l.recoveredAfterMs() + " ms after heal"
                        + (ok ? "" : ", over the " + max.toMillis() + " ms limit"), List.of());
    }
}

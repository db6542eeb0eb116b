package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Per fault: recovered, and within the scenario's failover limit, measured as a bound (see docs/verifier.md). */
final class FailoverCheck implements Check {
    @Override
    public String name() {
        return CheckNames.FAILOVER;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        List<CheckResult> out = new ArrayList<>();
        for (int i = 0; i < a.windows().size(); i++) {
            out.add(failoverCheck(a.windows().get(i), a.faults().get(i).failover(), a.spec().failover()));
        }
        return out;
    }

    static CheckResult failoverCheck(FaultWindow f, FaultRecord.Failover fo, Duration max) {
        String name = CheckNames.perFault(CheckNames.FAILOVER, f.name());
        Double threshold = max == null ? null : (double) max.toMillis();
        if (!fo.recovered()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms",
                    "no canary completed after the outage that began " + (fo.outageStart() == null ? "at injection"
                            : "at " + fo.outageStart()) + ": not recovered within " + fo.availabilityGapMs() + " ms"
                            + (fo.partitions().isEmpty() ? "" : " (partitions stopped: " + String.join(", ",
                                    fo.partitions().stream().map(p -> p.partition() + (p.upperMs() == null
                                            ? " never recovered" : " recovered after " + p.upperMs() + " ms")).toList())
                                    + ")"),
                    List.of());
        }
        String measured = fo.outage()
                ? "recovered " + fo.lowerMs() + "-" + fo.upperMs() + " ms after the fault (resolution "
                        + fo.resolutionMs() + " ms), longest gap without completions " + fo.availabilityGapMs() + " ms"
                        + (fo.catchUpMs() == null ? "" : ", caught up " + fo.catchUpMs() + " ms after recovery")
                : "no outage: longest gap without completions " + fo.availabilityGapMs() + " ms";
        if (!fo.partitions().isEmpty()) {
            measured += "; partition" + (fo.partitions().size() == 1 ? " " : "s ") + String.join(", ",
                    fo.partitions().stream().map(p -> p.partition() + " (gap " + p.gapMs() + " ms)").toList())
                    + " stopped, the others flowed";
        }
        boolean ok = threshold == null || fo.upperMs() <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) fo.upperMs(), threshold, "ms",
                measured + (threshold == null ? " (no threshold set)" : ok ? "" : ", over the " + max.toMillis() + " ms limit"),
                List.of());
    }
}

package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
            if (a.spec().rejoin() != null) {
                out.add(rejoinCheck(a.windows().get(i), a.faults().get(i).failover(), a.spec().rejoin()));
            }
        }
        return out;
    }

    /** {@code checks.rejoin}: the disruption after the fault was undone stays within the limit. */
    static CheckResult rejoinCheck(FaultWindow f, FaultRecord.Failover fo, Duration max) {
        String name = CheckNames.perFault(CheckNames.REJOIN, f.name());
        double threshold = max.toMillis();
        FaultRecord.Disruption d = fo.afterHeal();
        if (d == null) {
            return new CheckResult(name, Outcome.PASS, 0.0, threshold, "ms",
                    "no disruption after heal before the next fault or the end of the run", List.of());
        }
        String what = afterHeal(f, d);
        boolean ok = d.to() != null && d.gapMs() <= max.toMillis();
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) d.gapMs(), threshold, "ms",
                what + (ok ? "" : d.to() == null ? "" : ", over the " + max.toMillis() + " ms limit"), List.of());
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
                    fo.partitions().stream().map(p -> p.partition() + " (gap " + p.gapMs() + " ms" + handOver(f, p)
                            + ")").toList())
                    + " stopped, the others flowed";
        }
        measured += beside(f, fo);
        boolean ok = threshold == null || fo.upperMs() <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) fo.upperMs(), threshold, "ms",
                measured + (threshold == null ? " (no threshold set)" : ok ? "" : ", over the " + max.toMillis() + " ms limit"),
                List.of());
    }

    /** ", handed over by the group from A to B 3.86 s after the fault", where the group's assignment was watched. */
    private static String handOver(FaultWindow f, FaultRecord.PartitionGap p) {
        if (p.ownerAfter() == null || p.handedOverAt() == null) {
            return "";
        }
        return ", handed over by the group from " + (p.ownerBefore() == null ? "no member" : p.ownerBefore()) + " to "
                + p.ownerAfter() + " " + seconds(Duration.between(f.invokedAt(), p.handedOverAt())) + " after the fault";
    }

    /** The disruption after heal and the others beside the failover, each with when it began after the fault. */
    static String beside(FaultWindow f, FaultRecord.Failover fo) {
        StringBuilder out = new StringBuilder();
        if (fo.afterHeal() != null) {
            out.append("; after heal: ").append(afterHeal(f, fo.afterHeal()));
        }
        if (!fo.others().isEmpty()) {
            out.append("; not this fault's failover: ").append(String.join(", ", fo.others().stream()
                    .map(d -> describe(d) + " " + seconds(Duration.between(f.invokedAt(), d.from())) + " after the fault")
                    .toList()));
        }
        return out.toString();
    }

    private static String afterHeal(FaultWindow f, FaultRecord.Disruption d) {
        Instant healed = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt();
        return describe(d) + (healed == null ? "" : " " + seconds(Duration.between(healed, d.from())) + " after heal");
    }

    private static String describe(FaultRecord.Disruption d) {
        String where = d.partitions().isEmpty() ? "completions" : (d.partitions().size() == 1 ? "partition " : "partitions ")
                + String.join(", ", d.partitions().stream().map(String::valueOf).toList());
        return where + " stopped " + d.gapMs() + " ms" + (d.to() == null ? " and never resumed" : "");
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}

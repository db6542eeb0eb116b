package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.scenario.ChecksSpec;
import java.util.ArrayList;
import java.util.List;

/** Every canary delivered once, in order: lost, unseen, duplicated, unexpected and reordered counts within their limits. */
final class DeliveryCheck implements Check {
    @Override
    public String name() {
        return CheckNames.DELIVERY;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        DeliveryAnalysis.Anomalies anomalies = a.anomalies();
        ChecksSpec spec = a.spec();
        History h = a.history();
        List<CheckResult> checks = new ArrayList<>();
        checks.add(countCheck(CheckNames.LOST, anomalies.lost(), spec.lost(), anomalies.lost().size()
                + " acknowledged canaries never observed although the system committed past them"));
        checks.add(countCheck(CheckNames.UNSEEN, anomalies.unseen(), spec.unseen(), anomalies.unseen().size()
                + " acknowledged canaries not observed by the deadline " + h.observedUntil()
                + (h.committed().isEmpty() ? " (committed offsets unknown: loss cannot be proven)" : ", not yet consumed")));
        checks.add(countCheck(CheckNames.DUPLICATED, anomalies.duplicated(), spec.duplicated(), anomalies.duplicated().size()
                + " canaries observed more than once" + causes(anomalies)));
        checks.add(countCheck(CheckNames.UNEXPECTED, anomalies.unexpected(), 0, anomalies.unexpected().size()
                + " observed canaries that were never sent"));
        if (spec.judgesOrder()) {
            checks.add(countCheck(CheckNames.REORDERED, anomalies.reordered(), spec.reordered(),
                    anomalies.reordered().size() + " canaries observed after a later canary of the same key"));
        } else {
            checks.add(new CheckResult(CheckNames.REORDERED, CheckResult.Outcome.SKIP,
                    (double) anomalies.reordered().size(), null, "events", "order not judged (checks.reordered: off, or "
                    + "input.key gives every canary a key of its own); " + anomalies.reordered().size()
                    + " canaries came out after a later canary of the same canary key", List.of()));
        }
        return checks;
    }

    /**
     * Why canaries came out twice, as far as the evidence goes: the input offset each result
     * reports (header {@code input-offset}); without it, the cause is unknown.
     */
    static String causes(DeliveryAnalysis.Anomalies a) {
        if (a.duplicated().isEmpty()) {
            return "";
        }
        int redelivered = a.redelivered().size();
        int same = a.sameInstance().size();
        int unknown = a.unexplained().size();
        int upstream = a.duplicated().size() - redelivered - same - unknown;
        List<String> parts = new ArrayList<>();
        if (redelivered > 0) {
            parts.add(redelivered + " redelivered: the same input offset processed again by another instance or "
                    + "across a restart or rebalance");
        }
        if (same > 0) {
            parts.add(same + " from the same input offset by the same instance with no fault between: written twice "
                    + "by one consumer, or redelivered within it (cause unknown)");
        }
        if (upstream > 0) {
            parts.add(upstream + " read from two different input offsets (written twice before the stage that reports "
                    + "them)");
        }
        if (unknown > 0) {
            parts.add(unknown + " cause unknown: the service reports no input offset (header input-offset) to tell a "
                    + "redelivery from a second write");
        }
        return " (" + String.join(", ", parts) + ")";
    }

    static CheckResult countCheck(String name, List<String> offenders, long max, String summary) {
        return new CheckResult(name, offenders.size() <= max ? Outcome.PASS : Outcome.FAIL, (double) offenders.size(),
                (double) max, "events", summary, offenders.subList(0, Math.min(Verifier.OFFENDERS, offenders.size())));
    }
}

package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every canary delivered once, in order: lost, unseen, duplicated, unexpected and reordered counts within their limits. */
final class DeliveryCheck implements Check {
    @Override
    public String name() {
        return CheckNames.DELIVERY;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        Verifier.Anomalies anomalies = a.anomalies();
        ChecksSpec spec = a.spec();
        History h = a.history();
        List<CheckResult> checks = new ArrayList<>();
        checks.add(countCheck(CheckNames.LOST, anomalies.lost(), spec.lost(), anomalies.lost().size()
                + " acknowledged canaries never observed although the system committed past them"));
        checks.add(countCheck(CheckNames.UNSEEN, anomalies.unseen(), spec.unseen(), anomalies.unseen().size()
                + " acknowledged canaries not observed by the deadline " + h.observedUntil()
                + (h.committed().isEmpty() ? " (committed offsets unknown: loss cannot be proven)" : ", not yet consumed")));
        checks.add(countCheck(CheckNames.DUPLICATED, anomalies.duplicated(), spec.duplicated(), anomalies.duplicated().size()
                + " canaries observed more than once (" + anomalies.redelivered().size()
                + " re-processed from the same input offset, "
                + (anomalies.duplicated().size() - anomalies.redelivered().size()) + " written twice)"));
        checks.add(countCheck(CheckNames.UNEXPECTED, anomalies.unexpected(), 0, anomalies.unexpected().size()
                + " observed canaries that were never sent"));
        checks.add(countCheck(CheckNames.REORDERED, anomalies.reordered(), spec.reordered(), anomalies.reordered().size()
                + " canaries observed after a later canary of the same key"));
        return checks;
    }

    static CheckResult countCheck(String name, List<String> offenders, long max, String summary) {
        return new CheckResult(name, offenders.size() <= max ? Outcome.PASS : Outcome.FAIL, (double) offenders.size(),
                (double) max, "events", summary, offenders.subList(0, Math.min(Verifier.OFFENDERS, offenders.size())));
    }
}

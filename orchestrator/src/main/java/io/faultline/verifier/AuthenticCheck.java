package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whether the verdict rests on telemetry its agents really sent. Fault windows (applied, undone)
 * and the health seen in heartbeats come from the telemetry topic, which other writers can reach:
 * with agent keys, the run believed only agent events signed by one of them, and this check fails
 * when it refused any event of this run or of its agents (someone tried to speak for them, or an
 * agent runs without its key). Without agent keys it is SKIP: nothing was checked, and the reason
 * says so.
 */
final class AuthenticCheck implements Check {
    @Override
    public String name() {
        return CheckNames.AUTHENTIC;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        History.Telemetry t = a.history().telemetry();
        if (t == null) {
            return List.of();
        }
        if (!t.authenticated()) {
            return List.of(new CheckResult(CheckNames.AUTHENTIC, Outcome.SKIP, 0.0, 0.0, "events",
                    "telemetry was not authenticated: the run had no agent keys (--agent-keys), so any writer of the "
                            + "telemetry topic could have changed what it believed", List.of()));
        }
        long refused = t.rejectedCount();
        if (refused == 0) {
            return List.of(new CheckResult(CheckNames.AUTHENTIC, Outcome.PASS, 0.0, 0.0, "events",
                    "every agent event the run believed was signed by a trusted key"
                            + (t.keys().isEmpty() ? "" : " (" + String.join(", ", t.keys()) + ")"), List.of()));
        }
        String reasons = t.rejected().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
        return List.of(new CheckResult(CheckNames.AUTHENTIC, Outcome.FAIL, (double) refused, 0.0, "events",
                refused + " telemetry event(s) claiming this run or its agents were refused (" + reasons
                        + "): someone else wrote to the telemetry topic in their name, or an agent runs without "
                        + "its key" + (t.examples().isEmpty() ? "" : "; e.g. " + t.examples().get(0)),
                t.examples().subList(0, Math.min(Verifier.OFFENDERS, t.examples().size()))));
    }
}

package io.faultline.verifier;

import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** Per expected alert: fired within its limit after injection, resolved within its limit after recovery, flapped no more than allowed (or never fired, when it must not). */
final class AlertCheck implements Check {
    @Override
    public String name() {
        return CheckNames.ALERT;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        List<CheckResult> out = new ArrayList<>();
        for (ChecksSpec.AlertCheck alert : a.spec().alerts()) {
            out.addAll(alertChecks(a.history(), a.faults(), alert));
        }
        return out;
    }

    /**
     * An alert's checks: it fired within the limit of the first injection, resolved within the
     * limit of recovery (or heal, when there was no outage), flapped at most so often; or, for
     * {@code mustNotFire}, never fired during the run.
     */
    static List<CheckResult> alertChecks(History h, List<FaultRecord> faults, ChecksSpec.AlertCheck spec) {
        String name = CheckNames.perFault(CheckNames.ALERT, spec.name());
        Instant injected = faults.stream().map(FaultRecord::invokedAt).min(Comparator.naturalOrder())
                .orElse(h.firstSentAt() != null ? h.firstSentAt() : h.observedUntil());
        List<History.AlertChange> mine = h.alerts().stream().filter(a -> a.alertname().equals(spec.name()))
                .sorted(Comparator.comparing(History.AlertChange::at)).toList();
        List<CheckResult> out = new ArrayList<>();
        if (spec.mustNotFire()) {
            List<History.AlertChange> fired = mine.stream().filter(History.AlertChange::firing).toList();
            out.add(new CheckResult(name + ".mustNotFire", fired.isEmpty() ? Outcome.PASS : Outcome.FAIL,
                    (double) fired.size(), 0.0, "firings", fired.isEmpty() ? spec.name() + " did not fire"
                            : spec.name() + " fired " + fired.size() + " time(s), first at " + fired.get(0).at(), List.of()));
            return out;
        }
        History.AlertChange firing = mine.stream().filter(a -> a.firing() && !a.at().isBefore(injected)).findFirst()
                .orElse(null);
        if (spec.firesWithin() != null) {
            double limit = spec.firesWithin().toMillis();
            if (firing == null) {
                out.add(new CheckResult(name + ".fires", Outcome.FAIL, null, limit, "ms", spec.name()
                        + " never fired after the injection at " + injected, List.of()));
            } else {
                long ms = Duration.between(injected, firing.at()).toMillis();
                out.add(new CheckResult(name + ".fires", ms <= limit ? Outcome.PASS : Outcome.FAIL, (double) ms, limit, "ms",
                        spec.name() + " fired " + ms + " ms after the injection" + (ms <= limit ? "" : ", over the limit"),
                        List.of()));
            }
        }
        if (spec.resolvesWithin() != null) {
            double limit = spec.resolvesWithin().toMillis();
            Instant reference = faults.stream().map(f -> f.failover() != null && f.failover().outage()
                            && f.failover().recovered() ? f.failover().recoveredAt()
                            : f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt())
                    .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(injected);
            History.AlertChange resolved = firing == null ? null : mine.stream()
                    .filter(a -> !a.firing() && a.at().isAfter(firing.at())).findFirst().orElse(null);
            if (firing == null) {
                out.add(new CheckResult(name + ".resolves", Outcome.FAIL, null, limit, "ms", spec.name()
                        + " never fired, so it cannot have resolved", List.of()));
            } else if (resolved == null) {
                out.add(new CheckResult(name + ".resolves", Outcome.FAIL, null, limit, "ms", spec.name()
                        + " fired at " + firing.at() + " and was still firing when the run ended", List.of()));
            } else {
                long ms = Math.max(0, Duration.between(reference, resolved.at()).toMillis());
                out.add(new CheckResult(name + ".resolves", ms <= limit ? Outcome.PASS : Outcome.FAIL, (double) ms, limit,
                        "ms", spec.name() + " resolved " + ms + " ms after recovery or heal (" + reference + ")"
                                + (ms <= limit ? "" : ", over the limit"), List.of()));
            }
        }
        long flaps = Math.max(0, mine.stream().filter(a -> a.firing() && !a.at().isBefore(injected)).count() - 1);
        if (spec.maxFlaps() != null) {
            out.add(new CheckResult(name + ".flaps", flaps <= spec.maxFlaps() ? Outcome.PASS : Outcome.FAIL,
                    (double) flaps, (double) spec.maxFlaps(), "firings", spec.name() + " fired again " + flaps
                            + " time(s) after it first fired", List.of()));
        }
        return out;
    }
}

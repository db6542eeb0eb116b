package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each action step ({@code action[NAME]}) and rollback ({@code rollback[NAME]}) the run carried
 * out held: the command exited 0, or the request got the status it expects, within its timeout.
 * A failure names what it did, how it ended and the tail of its output.
 */
final class ActionCheck implements Check {
    @Override
    public String name() {
        return CheckNames.ACTION;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        List<CheckResult> out = new ArrayList<>();
        for (History.ActionRun r : a.history().actions()) {
            String name = (r.rollback() ? CheckNames.ROLLBACK : CheckNames.ACTION) + "[" + r.name() + "]";
            long ms = r.startedAt() == null || r.endedAt() == null ? 0
                    : Duration.between(r.startedAt(), r.endedAt()).toMillis();
            String took = String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
            String code = r.code() == null ? "" : (r.what().startsWith("http") ? ", status " : ", exit ") + r.code();
            String last = r.output().isEmpty() ? "" : "; last output: " + r.output().get(r.output().size() - 1);
            if (r.ok()) {
                out.add(new CheckResult(name, Outcome.PASS, (double) ms, null, "ms",
                        r.what() + ": done in " + took + code, List.of()));
            } else {
                out.add(new CheckResult(name, Outcome.FAIL, (double) ms, null, "ms",
                        r.what() + ": " + r.failure() + " after " + took + code + last,
                        r.output().subList(Math.max(0, r.output().size() - Verifier.OFFENDERS), r.output().size())));
            }
        }
        return out;
    }
}

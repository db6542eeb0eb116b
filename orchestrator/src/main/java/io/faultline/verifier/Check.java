package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import java.util.List;

/**
 * One property of a run, judged from its analysed history, as a Jepsen checker: pure, and
 * composed by {@link Verifier} with the others. A check that throws is turned into an UNKNOWN
 * result (with the reason) by {@link #safe}, so one broken check cannot sink the verdict.
 */
interface Check {
    /** The check's family name, one of {@link CheckNames}. */
    String name();

    List<CheckResult> check(Analysis analysis);

    /** {@code check}, with anything it throws reported as its one UNKNOWN result. */
    static Check safe(Check check) {
        return new Check() {
            @Override
            public String name() {
                return check.name();
            }

            @Override
            public List<CheckResult> check(Analysis analysis) {
                try {
                    return check.check(analysis);
                } catch (RuntimeException e) {
                    return List.of(new CheckResult(check.name(), CheckResult.Outcome.UNKNOWN, null, null, null,
                            "the " + check.name() + " check could not be judged: "
                                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
                            List.of()));
                }
            }
        };
    }
}

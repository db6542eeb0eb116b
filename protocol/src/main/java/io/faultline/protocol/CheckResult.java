package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One check of a verdict: what was measured, against which threshold, and the first offending
 * events when it failed.
 *
 * @param measured  the measured value in {@code unit}, null when nothing could be measured
 * @param threshold the largest value that passes, in {@code unit}
 * @param offenders the first offending event ids (at most a few), empty when none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckResult(String name, Outcome outcome, Double measured, Double threshold, String unit,
                          String summary, List<String> offenders) {
    /**
     * Whether the check held. UNKNOWN: the check could not be judged (it threw; the summary says
     * why), as Jepsen's {@code check-safe} reports it, and the run does not pass. SKIP: not judged
     * for want of evidence (a phase with too few canaries to give a percentile; the summary says
     * how many there were), which does not fail the run. PASS and SKIP pass.
     */
    public enum Outcome {
        PASS, FAIL, UNKNOWN, SKIP
    }

    public CheckResult {
        Checks.required("name", name);
        Checks.required("outcome", outcome);
        offenders = Checks.copy(offenders);
    }

    @JsonIgnore
    public boolean passed() {
        return outcome == Outcome.PASS || outcome == Outcome.SKIP;
    }
}

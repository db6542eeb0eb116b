package io.faultline.engine;

import io.faultline.protocol.Verdict;
import io.faultline.verifier.Timeline;

/**
 * What a run gives back: its verdict, and for the reports the canary timeline and the evidence it
 * kept (both null when the run did not get as far as judging).
 */
public record RunResult(Verdict verdict, Timeline timeline, Evidence evidence) {
    /** The same result with {@code v} as its verdict. */
    RunResult withVerdict(Verdict v) {
        return v == verdict ? this : new RunResult(v, timeline, evidence);
    }
}

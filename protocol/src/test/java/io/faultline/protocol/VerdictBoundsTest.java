package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A verdict is always small enough to publish: 40 output records with 900 KB ids made one of 9 MB. */
class VerdictBoundsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aVerdictTooLargeToPublishIsCutKeepingItsStatusAndFigures() {
        String huge = "run-1:" + "x".repeat(900_000);
        List<CheckResult> checks = new ArrayList<>();
        checks.add(new CheckResult("unexpected", CheckResult.Outcome.FAIL, 40.0, 0.0, "events",
                "40 observed canaries that were never sent", List.of(huge, huge, huge, huge, huge)));
        checks.add(new CheckResult("lost", CheckResult.Outcome.PASS, 0.0, 0.0, "events", "0 lost", List.of()));
        Verdict v = Verdict.judged("run-1", "s", T0, T0.plusSeconds(60), checks, List.of(), null);
        assertThat(Json.encode(v).length).isGreaterThan(Verdict.MAX_BYTES);

        Verdict bounded = v.bounded(Verdict.MAX_BYTES);
        assertThat(Json.encode(bounded).length).isLessThanOrEqualTo(Verdict.MAX_BYTES);
        assertThat(bounded.status()).isEqualTo(Verdict.Status.FAILED);
        assertThat(bounded.checks()).extracting(CheckResult::measured).containsExactly(40.0, 0.0);
        assertThat(bounded.checks().get(0).offenders()).hasSize(5)
                .allSatisfy(o -> assertThat(o).endsWith("... (truncated: 900006 characters)"));
        // A verdict that fits is left as it is.
        assertThat(bounded.bounded(Verdict.MAX_BYTES)).isSameAs(bounded);
    }
}

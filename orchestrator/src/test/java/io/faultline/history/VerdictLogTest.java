package io.faultline.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Verdicts the history and the exporter take: a forged one with an impossible time is skipped, not fatal. */
class VerdictLogTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static Verdict at(Instant started, Instant finished) {
        return Verdict.judged("run-1", "s", started, finished, List.of(), List.of(), null);
    }

    @Test
    void aVerdictWithATimeNoRunCanHaveIsSkipped() {
        assertThat(VerdictLog.plausible(at(T0, T0.plusSeconds(60)))).isTrue();
        // The largest finishedAt Java can read made history exit 5 and the exporter answer 500.
        assertThat(VerdictLog.plausible(at(T0, Instant.MAX))).isFalse();
        assertThat(VerdictLog.plausible(at(Instant.MIN, T0))).isFalse();
        assertThat(VerdictLog.plausible(at(T0, T0.minusSeconds(1)))).isFalse();
        assertThat(VerdictLog.plausible(at(null, T0))).isFalse();
    }
}

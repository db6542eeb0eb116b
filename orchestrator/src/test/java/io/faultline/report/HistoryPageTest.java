package io.faultline.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.history.RunSummary;
import io.faultline.protocol.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HistoryPageTest {
    private static final Instant T = Instant.parse("2026-11-20T02:00:00Z");

    private static RunSummary run(String id, Verdict.Status status, int day, Long failoverMs, boolean notRecovered, Long p99) {
        return new RunSummary(id, "nightly", status, T.plusSeconds(86_400L * day), failoverMs, notRecovered, 0L, 0L, p99,
                status == Verdict.Status.PASSED ? 0 : 1, status == Verdict.Status.PASSED ? List.of() : List.of("lost"));
    }

    /** The cy of the circle whose tooltip names {@code id}, in the first chart (failover). */
    private static double y(String html, String id) {
        Matcher m = Pattern.compile("<circle cx=\"[\\d.]+\" cy=\"([\\d.]+)\" r=\"4\" fill=\"#[0-9a-f]+\"><title>"
                + Pattern.quote(id) + ":").matcher(html);
        assertThat(m.find()).as(id + " has a point").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aSlowerFailoverIsHigherAndEachPointHasItsStatusColour() {
        String html = HistoryPage.render(List.of(
                run("n-1", Verdict.Status.PASSED, 0, 3_000L, false, 400L),
                run("n-2", Verdict.Status.FAILED, 1, 6_000L, false, 900L),
                run("n-3", Verdict.Status.FAILED, 2, null, true, 1_200L),
                run("n-4", Verdict.Status.ERROR, 3, null, false, null)), "faultline.verdicts");
        assertThat(y(html, "n-2")).isLessThan(y(html, "n-1"));
        assertThat(html).contains("fill=\"" + HistoryPage.colour(Verdict.Status.FAILED) + "\"><title>n-2: FAILED")
                .contains("fill=\"" + HistoryPage.colour(Verdict.Status.PASSED) + "\"><title>n-1: PASSED");
        // Never recovered: a triangle at the top of the failover chart, not a point at zero.
        assertThat(html).containsPattern("<path d=\"M[\\d.]+,20.0 l5,9 l-10,0 z\" fill=\"#cf222e\"><title>n-3: FAILED");
        assertThat(html).doesNotContain("n-4: ERROR</title></circle>").contains("<code>n-4</code>");
        assertThat(html).contains("<code>nightly</code>: 1 of 4 passed", "failover (s)", "canary latency p99 (ms)");
        // The failover axis runs to a round 10 s above the slowest run.
        assertThat(html).contains(">10</text>");
    }

    @Test
    void noRunsIsSaidNotDrawn() {
        assertThat(HistoryPage.render(List.of(), "faultline.verdicts")).contains("No game-day found.")
                .doesNotContain("<svg");
    }
}

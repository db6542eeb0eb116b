package io.faultline.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Verdict;
import io.faultline.verifier.Timeline;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ReportsTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static Verdict verdict(Verdict.Status status, String reason) {
        return new Verdict(Verdict.SCHEMA_VERSION, "run-1", "primary-listener-crash", status, reason, T0, T0.plusSeconds(40),
                List.of(new CheckResult("failover[kill]", CheckResult.Outcome.PASS, 3900.0, 20000.0, "ms",
                                "recovered 3850-3900 ms after the fault", List.of()),
                        new CheckResult("lost", CheckResult.Outcome.FAIL, 2.0, 0.0, "events",
                                "2 acknowledged canaries never observed <&>", List.of("run-1:7", "run-1:8"))),
                List.of(new FaultRecord("kill", "c-1", "agent-1", "process.kill", T0.plusSeconds(5), T0.plusSeconds(5),
                        T0.plusSeconds(20), T0.plusSeconds(20), new FaultRecord.Failover(true, true, T0.plusSeconds(5),
                        T0.plusMillis(8900), 3850L, 3900L, 20L, 3900L, 300L, List.of()), null)),
                new CanaryStats(100, 100, 98, 2, 0, 0, 0, 0, 50.0,
                        new CanaryStats.Phase("run", T0, T0.plusSeconds(2), 100, 98, 200L, 900L, 3000L, 3100L, 49.0),
                        List.of(new CanaryStats.Phase("before", T0, T0.plusSeconds(5), 50, 50, 200L, 220L, 240L, 250L, 50.0),
                                new CanaryStats.Phase("during kill", T0.plusSeconds(5), T0.plusSeconds(20), 50, 48, 900L,
                                        3000L, 3100L, 3100L, 12.5))));
    }

    private static Timeline timeline() {
        return new Timeline(T0, 1000, List.of(new Timeline.Bucket(0, 50, 50, 200L, 240L),
                new Timeline.Bucket(1000, 50, 0, null, null), new Timeline.Bucket(2000, 50, 100, 1500L, 3000L)),
                List.of(new Timeline.AlertWindow("IngestionLagHigh", T0.plusMillis(1200), T0.plusMillis(2500))));
    }

    @Test
    void faultsHeldAtTheSameTimeSayEachIncludesTheOthers() {
        Verdict v = verdict(Verdict.Status.PASSED, null);
        FaultRecord kill = v.faults().get(0);
        // Invoked 1 s after the kill, undone after it: held together. One after the kill's undo: not.
        FaultRecord freeze = new FaultRecord("freeze", "c-2", "agent-2", "process.kill", T0.plusSeconds(6),
                T0.plusSeconds(6), T0.plusSeconds(25), T0.plusSeconds(25), null, null);
        FaultRecord later = new FaultRecord("later", "c-3", "agent-3", "process.kill", T0.plusSeconds(30),
                T0.plusSeconds(30), null, null, null, null);
        Verdict both = new Verdict(v.schemaVersion(), v.runId(), v.scenario(), v.status(), v.reason(), v.startedAt(),
                v.finishedAt(), v.checks(), List.of(kill, freeze, later), v.canary());
        assertThat(Reports.overlapping(both, kill)).containsExactly("freeze");
        assertThat(Reports.overlapping(both, freeze)).containsExactly("kill");
        assertThat(Reports.overlapping(both, later)).as("held from 30 s to the end, after both were undone").isEmpty();
        assertThat(Reports.summary(both)).contains("  held together with freeze: its figures include what they did");
        assertThat(Reports.summary(v)).doesNotContain("held together");
    }

    @Test
    void writesEveryReportWithOneJunitTestCasePerCheck(@TempDir Path dir) throws Exception {
        Path html = Reports.writeAll(dir, verdict(Verdict.Status.FAILED, null), timeline());
        assertThat(dir.resolve("verdict.json")).exists();
        Document junit = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
        Element suite = (Element) junit.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("name")).isEqualTo("faultline.primary-listener-crash");
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(junit.getElementsByTagName("testcase").getLength()).isEqualTo(2);
        Element failure = (Element) junit.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("2 acknowledged canaries never observed <&>");
        assertThat(failure.getTextContent()).contains("measured: 2 events", "threshold: 0 events", "run-1:7, run-1:8");

        String md = Files.readString(dir.resolve("summary.md"));
        assertThat(md).startsWith("# Game-day primary-listener-crash: FAILED")
                .contains("| lost | **FAIL** | 2 events | 0 events |",
                        "| during kill | 50 | 48 | 900 ms | 3000 ms | 3100 ms | 3100 ms | 12.50/s |", "| kill | process.kill | agent-1 | 3850-3900 ms | 3900 ms | 300 ms |");

        String page = Files.readString(html);
        assertThat(page).contains("<svg", "<path", "failover 3.90 s", "alert IngestionLagHigh", "kill (process.kill)", "class=\"fail\">FAIL",
                "&lt;&amp;&gt;").doesNotContain("<&>", "<script");
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(
                page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + 6).getBytes()));
        assertThat(svg.getElementsByTagName("path").getLength()).isEqualTo(3);
        // The latency line is broken over the bucket where nothing completed.
        String p50 = ((Element) svg.getElementsByTagName("path").item(2)).getAttribute("d");
        assertThat(p50.chars().filter(c -> c == 'M').count()).isEqualTo(2);
    }

    @Test
    void aCheckThatCouldNotBeJudgedIsAnErroredTestCaseAndReadsUnknown(@TempDir Path dir) throws Exception {
        Verdict v = new Verdict(Verdict.SCHEMA_VERSION, "run-3", "s", Verdict.Status.FAILED, null, T0, T0.plusSeconds(3),
                List.of(new CheckResult("lost", CheckResult.Outcome.PASS, 0.0, 0.0, "events", "0 lost", List.of()),
                        new CheckResult("alerts", CheckResult.Outcome.UNKNOWN, null, null, null,
                                "the alerts check could not be judged: alert log unreadable", List.of())),
                List.of(), null);
        Reports.writeAll(dir, v, null);
        Document junit = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
        Element suite = (Element) junit.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(suite.getAttribute("failures")).isEqualTo("0");
        assertThat(suite.getAttribute("errors")).isEqualTo("1");
        Element error = (Element) junit.getElementsByTagName("error").item(0);
        assertThat(error.getAttribute("type")).isEqualTo("unknown");
        assertThat(error.getAttribute("message")).contains("could not be judged: alert log unreadable");
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("| alerts | **UNKNOWN** |");
        assertThat(Files.readString(dir.resolve("report.html"))).contains("class=\"fail\">UNKNOWN");
    }

    @Test
    void anAbortedRunIsOneErroredTestCase(@TempDir Path dir) throws Exception {
        Verdict aborted = new Verdict(Verdict.SCHEMA_VERSION, "run-2", "s", Verdict.Status.ABORTED, "halted by sre: enough",
                T0, T0.plusSeconds(3), List.of(), List.of(), null);
        Reports.writeAll(dir, aborted, null);
        String junit = Files.readString(dir.resolve("junit.xml"));
        assertThat(junit).contains("errors=\"1\"", "<error type=\"ABORTED\" message=\"halted by sre: enough\"/>");
        assertThat(Files.readString(dir.resolve("report.html"))).contains("ABORTED", "halted by sre: enough")
                .doesNotContain("<svg");
    }

    @Test
    void thePictureHasLabelledAxesAndACatchUpSpikeDoesNotFlattenTheRate(@TempDir Path dir) throws Exception {
        List<Timeline.Bucket> buckets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            buckets.add(new Timeline.Bucket(i * 1000L, 50, i == 30 ? 500 : 50, 200L, i == 30 ? 4000L : 250L));
        }
        Path html = Reports.writeAll(dir, verdict(Verdict.Status.PASSED, null), new Timeline(T0, 1000, buckets, List.of()));
        String page = Files.readString(html);
        assertThat(page).contains("canaries completed per second", "canary latency (ms)", "time since the first canary",
                ">0/s<", ">100/s<", ">5000 ms<", ">2500 ms<", ">12s<", "catch-up peak 500/s, clipped");
        assertThat(HtmlReport.niceCeiling(130)).isEqualTo(200);
        assertThat(HtmlReport.niceCeiling(80)).isEqualTo(100);
    }

    @Test
    void saysAtTheTopWhyARunDidNotPassAndMarksEveryDisruption(@TempDir Path dir) throws Exception {
        Verdict v = verdict(Verdict.Status.FAILED, null);
        FaultRecord f = v.faults().get(0);
        FaultRecord.Failover fo = f.failover().withDisruptions(
                new FaultRecord.Disruption(T0.plusSeconds(28), T0.plusMillis(28_600), 600, List.of(0, 1, 2)),
                List.of(new FaultRecord.Disruption(T0.plusSeconds(14), T0.plusMillis(14_729), 729, List.of(0))));
        Verdict marked = new Verdict(v.schemaVersion(), v.runId(), v.scenario(), v.status(), v.reason(), v.startedAt(),
                v.finishedAt(), v.checks(), List.of(new FaultRecord(f.name(), f.commandId(), f.agentId(), f.faultType(),
                        f.invokedAt(), f.appliedAt(), f.healInvokedAt(), f.undoneAt(), fo, f.latency())), v.canary());
        assertThat(Reports.whyNotPassed(marked)).containsExactly("lost failed: 2 acknowledged canaries never observed <&>.");
        assertThat(Reports.whyNotPassed(verdict(Verdict.Status.PASSED, null))).isEmpty();

        Reports.writeAll(dir, marked, timeline());
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<h2>Why it did not pass</h2>", "<li>lost failed: 2 acknowledged canaries never "
                + "observed &lt;&amp;&gt;.</li>", ">outage 3900 ms<", ">after heal 600 ms<", ">stall 729 ms<");
        assertThat(html.indexOf("Why it did not pass")).isLessThan(html.indexOf("<svg"));
        List<String> md = Files.readAllLines(dir.resolve("summary.md"));
        assertThat(md.get(4)).isEqualTo("- lost failed: 2 acknowledged canaries never observed \\<\\&\\>.");
    }

    @Test
    void nothingARecordCarriesReachesTheReportsOrTheTerminalUnescaped(@TempDir Path dir) throws Exception {
        String hostile = "<script>alert(1)</script> [click](http://evil.example) ![x](http://evil.example/x.png) "
                + "<img src=x onerror=alert(1)> \u001b[2J\u001b]0;pwned\u0007 *bold* `code`";
        Verdict v = new Verdict(Verdict.SCHEMA_VERSION, "run-1", "s", Verdict.Status.FAILED, null, T0, T0.plusSeconds(1),
                List.of(new CheckResult("unexpected", CheckResult.Outcome.FAIL, 1.0, 0.0, "events", hostile,
                        List.of(hostile))), List.of(), null);
        Reports.writeAll(dir, v, null);
        String md = Files.readString(dir.resolve("summary.md"));
        // Every character Markdown or HTML would act on is escaped: none stands bare.
        assertThat(md).doesNotContainPattern("(?<!\\\\)[<>`\\[\\]()!]").doesNotContain("\u001b", "\u0007");
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).doesNotContain("<script", "<img", "\u001b");
        String terminal = Reports.summary(v);
        assertThat(terminal).doesNotContain("\u001b", "\u0007").contains("?[2J");
    }

    @Test
    void thePictureMarksWhereAnomalousCanariesWereSentAndTimesReadToTheMillisecond(@TempDir Path dir) throws Exception {
        Timeline t = new Timeline(T0, 1000, timeline().buckets(), List.of(),
                List.of(new Timeline.Mark("lost", T0.plusMillis(1500)), new Timeline.Mark("duplicated", T0.plusMillis(2500))));
        Verdict v = verdict(Verdict.Status.FAILED, null);
        FaultRecord f = v.faults().get(0);
        Verdict precise = new Verdict(v.schemaVersion(), v.runId(), v.scenario(), v.status(), v.reason(),
                T0.plusNanos(123_456_789), v.finishedAt(), v.checks(), List.of(new FaultRecord(f.name(), f.commandId(),
                f.agentId(), f.faultType(), T0.plusNanos(5_123_456_789L), f.appliedAt(), f.healInvokedAt(), null,
                f.failover(), f.latency())), v.canary());
        Reports.writeAll(dir, precise, t);
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<title>lost canary sent at 2026-11-22T10:00:01.500Z</title>",
                "<title>duplicated canary sent at 2026-11-22T10:00:02.500Z</title>", "2026-11-22T10:00:05.123Z",
                "not confirmed").doesNotContain("123456789");
    }
}

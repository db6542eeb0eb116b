package io.faultline.report;

import io.faultline.engine.Evidence;
import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import io.faultline.verifier.Timeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.Map;

/**
 * Writes a verdict where people and machines read it: {@code verdict.json}, {@code junit.xml},
 * {@code summary.md}, {@code report.html} (with {@code timeline.json} behind its picture), and a
 * terminal summary.
 */
public final class Reports {
    private Reports() {
    }

    /** Writes every report into {@code dir} (created if needed); returns the path of {@code report.html}. */
    public static Path writeAll(Path dir, Verdict verdict, Timeline timeline) throws IOException {
        writeVerdict(dir, verdict);
        Files.writeString(dir.resolve("junit.xml"), JunitReport.render(verdict));
        Files.writeString(dir.resolve("summary.md"), MarkdownReport.render(verdict));
        if (timeline != null) {
            Files.writeString(dir.resolve("timeline.json"), Json.encodePretty(timeline) + "\n");
        }
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReport.render(verdict, timeline));
        return html;
    }

    /**
     * Writes the run's evidence into {@code dir/evidence/}: {@code alertmanager-webhook.jsonl} (each
     * body as received, one JSON object per line with its receive time), {@code alerts.json} (every
     * notice from every source), {@code probes.json} (every probe and health sample) and
     * {@code commands.json} (the agents' reports on the run's commands). Returns the directory.
     */
    public static Path writeEvidence(Path dir, Evidence e) throws IOException {
        Path out = dir.resolve("evidence");
        Files.createDirectories(out);
        StringBuilder jsonl = new StringBuilder();
        for (var p : e.alertPayloads()) {
            jsonl.append(new String(Json.encode(Map.of("receivedAt", p.receivedAt().toString(), "source",
                    p.source(), "body", p.body())), StandardCharsets.UTF_8)).append('\n');
        }
        Files.writeString(out.resolve("alertmanager-webhook.jsonl"), jsonl.toString());
        Files.writeString(out.resolve("alerts.json"), Json.encodePretty(e.alertNotices()) + "\n");
        Files.writeString(out.resolve("probes.json"), Json.encodePretty(e.probeSamples()) + "\n");
        Files.writeString(out.resolve("commands.json"), Json.encodePretty(e.commandEvents()) + "\n");
        return out;
    }

    /** A measured value as people write it: no ".0" on whole numbers. */
    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }

    /** The canary's rate as a reader wants it: the target, and what was really sent when it fell short. */
    static String rate(CanaryStats c) {
        return c.fellBehind() ? String.format(Locale.ROOT, "target %.0f/s, sent %.0f/s: the canary producer fell behind",
                c.ratePerSecond(), c.sentPerSecond()) : String.format(Locale.ROOT, "%.0f/s", c.ratePerSecond());
    }

    /** The run's phases with the whole run first, for the phase tables. */
    static List<CanaryStats.Phase> phasesWithRun(CanaryStats c) {
        List<CanaryStats.Phase> out = new ArrayList<>();
        if (c.run() != null) {
            out.add(c.run());
        }
        out.addAll(c.phases());
        return out;
    }

    /** A latency in milliseconds for a table cell; empty when nothing was measured. */
    /**
     * Why the run did not pass, one sentence per reason: the run's own reason when it ended early
     * or in error, then each failed check and each check that could not be judged. Empty for a
     * passed run. The HTML report and summary.md lead with these.
     */
    public static List<String> whyNotPassed(Verdict v) {
        List<String> out = new ArrayList<>();
        if (v.status() == Verdict.Status.PASSED) {
            return out;
        }
        if (v.reason() != null) {
            out.add((v.status() == Verdict.Status.ABORTED ? "Aborted: " : "Stopped in error: ") + v.reason() + ".");
        }
        for (CheckResult c : v.checks()) {
            if (c.outcome() == CheckResult.Outcome.FAIL) {
                out.add(c.name() + " failed: " + c.summary() + ".");
            } else if (c.outcome() == CheckResult.Outcome.UNKNOWN) {
                out.add(c.name() + " could not be judged: " + c.summary() + ".");
            }
        }
        return out;
    }

    /** A time as people read it in a report: UTC, to the millisecond; empty for none. */
    static String time(Instant at) {
        return at == null ? "" : at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static String ms(Long value) {
        return value == null ? "" : value + " ms";
    }

    /** Writes {@code verdict.json} into {@code dir} (created if needed) and returns its path. */
    public static Path writeVerdict(Path dir, Verdict verdict) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("verdict.json");
        Files.writeString(file, Json.encodePretty(verdict) + "\n");
        return file;
    }

    /**
     * {@code text} fit for a terminal: control characters (escape sequences among them) that a
     * service's records, an alert or a verdict record carried become {@code ?}; line breaks stay.
     */
    public static String printable(String text) {
        return text == null ? null : text.replaceAll("[\\p{Cntrl}&&[^\n]]", "?");
    }

    /** A readable summary: status, each check with its figures, and the faults' failover bounds. */
    public static String summary(Verdict v) {
        return printable(plainSummary(v));
    }

    private static String plainSummary(Verdict v) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nGame-day %s  run %s%n", v.scenario(), v.runId()));
        b.append("Verdict: ").append(v.status());
        if (v.reason() != null) {
            b.append(" - ").append(v.reason());
        }
        b.append('\n');
        if (v.canary() != null) {
            b.append(String.format(Locale.ROOT, "Canaries: %d sent, %d acknowledged, %d observed, %d lost, %d unseen, "
                    + "%d duplicated, %d reordered (%s)%n", v.canary().sent(), v.canary().acknowledged(),
                    v.canary().observed(), v.canary().lost(), v.canary().unseen(), v.canary().duplicated(),
                    v.canary().reordered(), rate(v.canary())));
        }
        for (FaultRecord f : v.faults()) {
            b.append(String.format(Locale.ROOT, "Fault %s (%s on %s)", f.name(), f.faultType(), f.agentId()));
            FaultRecord.Failover fo = f.failover();
            if (fo != null && fo.outage() && fo.recovered()) {
                b.append(String.format(Locale.ROOT, ": failover %.2f-%.2f s, longest gap %.2f s",
                        fo.lowerMs() / 1000.0, fo.upperMs() / 1000.0, fo.availabilityGapMs() / 1000.0));
            } else if (fo != null && !fo.recovered()) {
                b.append(": NOT recovered");
            } else if (fo != null) {
                b.append(": no outage observed");
            }
            b.append('\n');
            List<String> together = overlapping(v, f);
            if (!together.isEmpty()) {
                b.append("  held together with ").append(String.join(", ", together))
                        .append(": its figures include what they did\n");
            }
            String cluster = cluster(f.kafka());
            if (!cluster.isEmpty()) {
                b.append("  cluster: ").append(cluster).append('\n');
            }
        }
        if (v.canary() != null && !v.canary().sendErrors().isEmpty()) {
            b.append("Canary sends that failed: ").append(v.canary().sendErrors().entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))).append('\n');
        }
        if (v.canary() != null && !v.canary().sendRetries().isEmpty()) {
            b.append("Canary produce requests retried: ").append(v.canary().sendRetries().entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))).append('\n');
        }
        for (CheckResult c : v.checks()) {
            b.append(String.format(Locale.ROOT, "  %s %-28s %s%n", c.outcome(), c.name(), c.summary()));
            if (!c.offenders().isEmpty()) {
                List<String> first = c.offenders().subList(0, Math.min(5, c.offenders().size()));
                b.append("       first: ").append(String.join(", ", first)).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * The other faults of the run held at some time while {@code f} was: from its invoke to its
     * undo (or its heal, or the end of the run when it was never undone).
     */
    static List<String> overlapping(Verdict v, FaultRecord f) {
        List<String> out = new ArrayList<>();
        for (FaultRecord g : v.faults()) {
            if (g != f && g.invokedAt() != null && f.invokedAt() != null
                    && g.invokedAt().isBefore(heldUntil(v, f)) && f.invokedAt().isBefore(heldUntil(v, g))) {
                out.add(g.name());
            }
        }
        return out;
    }

    private static Instant heldUntil(Verdict v, FaultRecord f) {
        return f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt() != null ? f.healInvokedAt()
                : v.finishedAt() != null ? v.finishedAt() : Instant.MAX;
    }

    /**
     * What the cluster did during a fault, in one line: each leader election with its time, the
     * under-replicated stretches, the controller changes; empty when it did nothing (or was not watched).
     */
    public static String cluster(FaultRecord.Kafka k) {
        if (k == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (FaultRecord.Election e : k.elections()) {
            parts.add(e.to() == null ? e.partition() + " leader " + e.from() + " -> none (no leader for "
                    + e.leaderlessMs() + " ms)"
                    : e.partition() + " leader " + e.from() + " -> " + e.to() + " in " + e.tookMs() + " ms"
                            + (e.leaderlessMs() > 0 ? " (no leader for " + e.leaderlessMs() + " ms)" : "")
                            + (e.writeGapMs() == null ? "" : ", its log: epoch " + e.fromEpoch() + " -> "
                            + e.toEpoch() + ", no canary written for " + e.writeGapMs() + " ms"));
        }
        for (FaultRecord.UnderReplication u : k.underReplicated()) {
            parts.add(u.partition() + " under-replicated (" + u.minIsr() + "/" + u.replicas() + " in sync) "
                    + (u.until() == null ? "until the end of the run, " + u.ms() + " ms" : "for " + u.ms() + " ms"));
        }
        for (FaultRecord.ControllerChange c : k.controllers()) {
            parts.add("controller " + (c.from() == null ? "none" : c.from()) + " -> " + (c.to() == null ? "none" : c.to()));
        }
        for (FaultRecord.Rebalance r : k.rebalances()) {
            parts.add("group " + r.group() + " (" + r.protocol() + ") rebalanced " + (r.until() == null
                    ? "until the end of the run, " + r.ms() + " ms" : r.ms() == 0 ? "between two looks"
                    : "for " + r.ms() + " ms") + ", " + r.membersBefore() + " -> " + r.membersAfter() + " members");
        }
        return parts.isEmpty() ? "" : String.join("; ", parts) + " (resolution " + k.resolutionMs() + " ms)";
    }

    /** The style every HTML page of Faultline's shares: type, tables, the verdict's status and the charts' legends. */
    static final String CSS = "body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:22px}"
            + "h2{font-size:18px}table{border-collapse:collapse;margin-top:12px}"
            + "td,th{border:1px solid #d0d7de;padding:4px 8px;font-size:13px;text-align:left}th{background:#f6f8fa}"
            + ".PASSED{color:#1a7f37}.FAILED{color:#cf222e}.ABORTED{color:#9a6700}.ERROR{color:#6e7781}"
            + ".pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}"
            + ".legend span{margin-right:16px;font-size:13px}svg text{font-size:11px;fill:#555}";

    /** An HTML page's start up to its body: the title (escaped here), the shared {@link #CSS} and {@code extraCss}. */
    static String htmlHead(String title, String extraCss) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + JunitReport.xml(title)
                + "</title>\n<style>\n" + CSS + extraCss + "\n</style></head><body>\n";
    }
}

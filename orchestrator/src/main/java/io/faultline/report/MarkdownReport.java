package io.faultline.report;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Verdict;

/** {@code summary.md}: the verdict as a Markdown page (for pull requests, chat, wikis). */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String render(Verdict v) {
        StringBuilder b = new StringBuilder();
        b.append("# Game-day ").append(cell(v.scenario())).append(": ").append(v.status()).append("\n\n");
        b.append("Run ").append(cell(v.runId())).append(", ").append(v.startedAt()).append(" to ").append(v.finishedAt())
                .append(".\n\n");
        for (String why : Reports.whyNotPassed(v)) {
            b.append("- ").append(cell(why)).append('\n');
        }
        if (!Reports.whyNotPassed(v).isEmpty()) {
            b.append('\n');
        }
        if (v.canary() != null) {
            var c = v.canary();
            b.append("Canaries: ").append(c.sent()).append(" sent, ").append(c.acknowledged()).append(" acknowledged, ")
                    .append(c.observed()).append(" observed, ").append(c.lost()).append(" lost, ").append(c.unseen())
                    .append(" unseen, ").append(c.duplicated()).append(" duplicated, ").append(c.reordered())
                    .append(" reordered, ").append(c.unexpected()).append(" unexpected.\n\n");
        }
        if (!v.faults().isEmpty()) {
            b.append("| fault | type | agent | failover | longest gap | catch-up |\n|---|---|---|---|---|---|\n");
            for (FaultRecord f : v.faults()) {
                FaultRecord.Failover fo = f.failover();
                String failover = fo == null ? "" : !fo.recovered() ? "**not recovered**"
                        : fo.outage() ? fo.lowerMs() + "-" + fo.upperMs() + " ms" : "no outage";
                b.append("| ").append(cell(f.name())).append(" | ").append(cell(f.faultType())).append(" | ")
                        .append(cell(f.agentId())).append(" | ").append(failover).append(" | ")
                        .append(fo == null ? "" : fo.availabilityGapMs() + " ms").append(" | ")
                        .append(fo == null || fo.catchUpMs() == null ? "" : fo.catchUpMs() + " ms").append(" |\n");
            }
            b.append('\n');
            for (FaultRecord f : v.faults()) {
                String cluster = Reports.cluster(f.kafka());
                if (!cluster.isEmpty()) {
                    b.append("What the cluster did during ").append(cell(f.name())).append(": ").append(cell(cluster))
                            .append(".\n\n");
                }
            }
        }
        if (v.canary() != null && !v.canary().phases().isEmpty()) {
            b.append("| phase | canaries sent | completed | p50 | p95 | p99 | max | throughput |\n")
                    .append("|---|---|---|---|---|---|---|---|\n");
            for (var p : Reports.phasesWithRun(v.canary())) {
                b.append("| ").append(cell(p.name())).append(" | ").append(p.sent()).append(" | ").append(p.completed())
                        .append(" | ").append(Reports.ms(p.p50Ms())).append(" | ").append(Reports.ms(p.p95Ms()))
                        .append(" | ").append(Reports.ms(p.p99Ms())).append(" | ").append(Reports.ms(p.maxMs()))
                        .append(" | ").append(Reports.number(p.throughputPerSecond())).append("/s |\n");
            }
            b.append('\n');
        }
        b.append("| check | outcome | measured | threshold | summary | first offenders |\n|---|---|---|---|---|---|\n");
        for (CheckResult c : v.checks()) {
            b.append("| ").append(cell(c.name())).append(" | ").append(c.passed() ? c.outcome().name() : "**" + c.outcome() + "**").append(" | ")
                    .append(c.measured() == null ? "" : Reports.number(c.measured()) + " " + c.unit()).append(" | ")
                    .append(c.threshold() == null ? "" : Reports.number(c.threshold()) + " " + c.unit()).append(" | ")
                    .append(cell(c.summary())).append(" | ").append(cell(String.join(", ", c.offenders()))).append(" |\n");
        }
        return b.toString();
    }

    /**
     * {@code s} as text in Markdown, whatever it carries: every character Markdown or HTML gives a
     * meaning to is escaped (no link, image, tag or emphasis can be made by a service's records,
     * an alert or a label), control characters are removed and lines joined.
     */
    static String cell(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                b.append(' ');
            } else if (Character.isISOControl(c)) {
                b.append('?');
            } else if ("\\`*_{}[]()<>#+!|~&".indexOf(c) >= 0) {
                b.append('\\').append(c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

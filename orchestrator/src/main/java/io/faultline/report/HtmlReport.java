package io.faultline.report;

import static io.faultline.report.JunitReport.xml;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Verdict;
import io.faultline.verifier.Timeline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: one self-contained page (no scripts, no external files) with an SVG
 * timeline of canary throughput and latency, the fault windows and the failover marks, then
 * the checks.
 */
final class HtmlReport {
    private static final int W = 960;
    private static final int H = 320;
    private static final int LEFT = 80;
    private static final int RIGHT = 80;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;

    private HtmlReport() {
    }

    static String render(Verdict v, Timeline t) {
        StringBuilder b = new StringBuilder();
        b.append(Reports.htmlHead("Faultline: " + v.scenario() + " " + v.status(), "td{vertical-align:top}"));
        b.append("<h1>Game-day <code>").append(xml(v.scenario())).append("</code>: <span class=\"").append(v.status())
                .append("\">").append(v.status()).append("</span></h1>\n<p>Run <code>").append(xml(v.runId()))
                .append("</code>, ").append(Reports.time(v.startedAt())).append(" to ").append(Reports.time(v.finishedAt()))
                .append("</p>\n");
        List<String> why = Reports.whyNotPassed(v);
        if (!why.isEmpty()) {
            b.append("<h2>Why it did not pass</h2>\n<ul class=\"why\">\n");
            why.forEach(w -> b.append("<li>").append(xml(w)).append("</li>\n"));
            b.append("</ul>\n");
        }
        if (v.canary() != null) {
            var c = v.canary();
            b.append(String.format(Locale.ROOT, "<p>Canaries: %d sent, %d acknowledged, %d observed, %d lost, %d unseen, "
                    + "%d duplicated, %d reordered, %d unexpected (%.0f/s)</p>%n", c.sent(), c.acknowledged(), c.observed(),
                    c.lost(), c.unseen(), c.duplicated(), c.reordered(), c.unexpected(), c.ratePerSecond()));
        }
        if (t != null && !t.buckets().isEmpty()) {
            b.append(svg(v, t));
            b.append("<p class=\"legend\"><span style=\"color:#1a7f37\">&#9644; canaries completed per second</span>")
                    .append("<span style=\"color:#0969da\">&#9644; latency p50 (right axis)</span>")
                    .append("<span style=\"color:#8250df\">&#9644; latency max</span>")
                    .append("<span style=\"color:#cf222e\">&#9632; fault applied to undone</span>")
                    .append("<span style=\"color:#bf8700\">&#9632; alert firing</span>")
                    .append("<span>&#9474; failover: first completion after the outage</span>")
                    .append("<span style=\"color:#57606a\">&#9636; disruption: the failover's, after heal, or another</span>")
                    .append("<span><span style=\"color:#cf222e\">&#9475;</span> lost, <span style=\"color:#bc4c00\">"
                            + "&#9475;</span> duplicated, <span style=\"color:#6e7781\">&#9475;</span> unseen canary, "
                            + "where it was sent</span></p>\n");
        }
        b.append("<h2>Checks</h2>\n<table><tr><th>check</th><th>outcome</th><th>measured</th><th>threshold</th>")
                .append("<th>summary</th><th>first offending events</th></tr>\n");
        for (CheckResult c : v.checks()) {
            b.append("<tr><td><code>").append(xml(c.name())).append("</code></td><td class=\"")
                    .append(c.passed() ? "pass\">" : "fail\">").append(c.outcome()).append("</td><td>")
                    .append(c.measured() == null ? "" : Reports.number(c.measured()) + " " + xml(c.unit()))
                    .append("</td><td>").append(c.threshold() == null ? "" : Reports.number(c.threshold()) + " " + xml(c.unit()))
                    .append("</td><td>").append(xml(c.summary())).append("</td><td>")
                    .append(xml(String.join(", ", c.offenders()))).append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (v.canary() != null && !v.canary().phases().isEmpty()) {
            b.append("<h2>Latency and throughput by phase</h2>\n<table><tr><th>phase</th><th>canaries sent</th>")
                    .append("<th>completed</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>throughput</th></tr>\n");
            for (var p : Reports.phasesWithRun(v.canary())) {
                b.append("<tr><td>").append(xml(p.name())).append("</td><td>").append(p.sent()).append("</td><td>")
                        .append(p.completed()).append("</td><td>").append(Reports.ms(p.p50Ms())).append("</td><td>")
                        .append(Reports.ms(p.p95Ms())).append("</td><td>").append(Reports.ms(p.p99Ms())).append("</td><td>")
                        .append(Reports.ms(p.maxMs())).append("</td><td>").append(Reports.number(p.throughputPerSecond()))
                        .append("/s</td></tr>\n");
            }
            b.append("</table>\n");
        }
        if (!v.faults().isEmpty()) {
            b.append("<h2>Faults</h2>\n<table><tr><th>fault</th><th>type</th><th>agent</th><th>invoked</th><th>applied</th>")
                    .append("<th>heal sent</th><th>undone</th><th>failover</th><th>longest gap</th><th>catch-up</th></tr>\n");
            for (FaultRecord f : v.faults()) {
                FaultRecord.Failover fo = f.failover();
                b.append("<tr><td>").append(xml(f.name())).append("</td><td>").append(xml(f.faultType())).append("</td><td>")
                        .append(xml(f.agentId())).append("</td><td>").append(Reports.time(f.invokedAt())).append("</td><td>")
                        .append(Reports.time(f.appliedAt())).append("</td><td>").append(Reports.time(f.healInvokedAt()))
                        .append("</td><td>").append(f.undoneAt() == null ? "not confirmed" : Reports.time(f.undoneAt()))
                        .append("</td><td>")
                        .append(fo == null ? "" : !fo.recovered() ? "not recovered" : fo.outage()
                                ? fo.lowerMs() + "-" + fo.upperMs() + " ms" : "no outage")
                        .append("</td><td>").append(fo == null ? "" : fo.availabilityGapMs() + " ms").append("</td><td>")
                        .append(fo == null || fo.catchUpMs() == null ? "" : fo.catchUpMs() + " ms").append("</td></tr>\n");
            }
            b.append("</table>\n");
            for (FaultRecord f : v.faults()) {
                String cluster = Reports.cluster(f.kafka());
                if (!cluster.isEmpty()) {
                    b.append("<p>What the cluster did during ").append(xml(f.name())).append(": ").append(xml(cluster))
                            .append("</p>\n");
                }
            }
        }
        return b.append("</body></html>\n").toString();
    }

    /** The next round number at or above {@code v}: 1, 2 or 5 times a power of ten. */
    static double niceCeiling(double v) {
        if (v <= 1) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String svg(Verdict v, Timeline t) {
        int n = t.buckets().size();
        double spanMs = (double) n * t.bucketMs();
        double perSecond = 1000.0 / t.bucketMs();
        double peakRate = Math.max(1, t.buckets().stream().mapToDouble(x -> x.completed() * perSecond).max().orElse(1));
        // The rate scale follows the steady state, not a catch-up spike: twice the 95th percentile of
        // the buckets; a spike above it is clipped at the top and its peak written there.
        double[] rates = t.buckets().stream().mapToDouble(x -> x.completed() * perSecond).sorted().toArray();
        double p95Rate = rates.length == 0 ? 1 : rates[Math.min(rates.length - 1, (int) Math.ceil(rates.length * 0.95) - 1)];
        double maxRate = Math.min(peakRate, Math.max(1, niceCeiling(2 * p95Rate)));
        double maxLatency = niceCeiling(Math.max(1, t.buckets().stream().filter(x -> x.latencyMax() != null)
                .mapToLong(Timeline.Bucket::latencyMax).max().orElse(1)));
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"timeline\">\n")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H).append("\" fill=\"#fff\"/>\n");
        for (FaultRecord f : v.faults()) {
            Instant from = f.appliedAt() != null ? f.appliedAt() : f.invokedAt();
            Instant to = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt() != null ? f.healInvokedAt() : v.finishedAt();
            double x1 = x(t, from, plotW, spanMs);
            double x2 = to == null ? LEFT + plotW : x(t, to, plotW, spanMs);
            // A label that would run past the plot's right edge ends at the band's right edge instead.
            String label = f.name() + " (" + f.faultType() + ")";
            boolean fits = x1 + 3 + 6.5 * label.length() <= LEFT + plotW;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#cf222e\" "
                    + "fill-opacity=\"0.12\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>%n", x1, TOP,
                    Math.max(1, x2 - x1), plotH, fits ? x1 + 3 : Math.max(x2, x1 + 3) - 3, TOP + 12,
                    fits ? "start" : "end", xml(label)));
            FaultRecord.Failover fo = f.failover();
            if (fo != null && fo.outage() && fo.outageStart() != null) {
                s.append(band(t, fo.outageStart(), fo.recoveredAt(), plotW, spanMs, 0, "outage " + fo.availabilityGapMs()
                        + " ms"));
            }
            if (fo != null && fo.afterHeal() != null) {
                s.append(band(t, fo.afterHeal().from(), fo.afterHeal().to(), plotW, spanMs, 1, "after heal "
                        + fo.afterHeal().gapMs() + " ms"));
            }
            for (FaultRecord.Disruption d : fo == null ? List.<FaultRecord.Disruption>of() : fo.others()) {
                s.append(band(t, d.from(), d.to(), plotW, spanMs, 2, "stall " + d.gapMs() + " ms"));
            }
            if (fo != null && fo.outage() && fo.recovered() && fo.recoveredAt() != null) {
                double xr = x(t, fo.recoveredAt(), plotW, spanMs);
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                        + "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\">failover %.2f s</text>%n", xr, TOP, xr,
                        TOP + plotH, xr + 3, TOP + 26, fo.upperMs() / 1000.0));
            }
        }
        int row = 0;
        for (Timeline.AlertWindow a : t.alerts()) {
            double x1 = x(t, a.from(), plotW, spanMs);
            double x2 = a.to() == null ? LEFT + plotW : x(t, a.to(), plotW, spanMs);
            double y = TOP + plotH - 14 - 14 * (row++ % 3);
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"#bf8700\" "
                    + "fill-opacity=\"0.5\"/><text x=\"%.1f\" y=\"%.1f\">alert %s</text>%n", x1, y, Math.max(2, x2 - x1),
                    x1 + 3, y - 2, xml(a.alertname())));
        }
        // Where the lost (red), duplicated (orange) and unseen (grey) canaries were sent: ticks under the plot's floor.
        for (Timeline.Mark m : t.marks()) {
            String color = switch (m.kind()) {
                case "lost" -> "#cf222e";
                case "duplicated" -> "#bc4c00";
                default -> "#6e7781";
            };
            double xm = x(t, m.sentAt(), plotW, spanMs);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"1.5\"><title>%s canary sent at %s</title></line>%n", xm, TOP + plotH - 10, xm,
                    TOP + plotH, color, m.kind(), Reports.time(m.sentAt())));
        }
        // Latency lines break where no canary completed, rather than drawing across the outage.
        StringBuilder rate = new StringBuilder();
        StringBuilder p50 = new StringBuilder();
        StringBuilder max = new StringBuilder();
        boolean gap = true;
        for (Timeline.Bucket k : t.buckets()) {
            double cx = LEFT + plotW * (k.offsetMs() + t.bucketMs() / 2.0) / spanMs;
            rate.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", rate.length() == 0 ? "M" : "L", cx,
                    TOP + plotH - plotH * Math.min(1.0, k.completed() * perSecond / maxRate)));
            if (k.latencyP50() == null) {
                gap = true;
                continue;
            }
            String op = gap ? "M" : "L";
            p50.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", op, cx, TOP + plotH - plotH * k.latencyP50() / maxLatency));
            max.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", op, cx, TOP + plotH - plotH * k.latencyMax() / maxLatency));
            gap = false;
        }
        s.append("<path fill=\"none\" stroke=\"#1a7f37\" stroke-width=\"1.5\" d=\"").append(rate).append("\"/>\n");
        s.append("<path fill=\"none\" stroke=\"#8250df\" stroke-width=\"1\" stroke-opacity=\"0.6\" d=\"").append(max).append("\"/>\n");
        s.append("<path fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" d=\"").append(p50).append("\"/>\n");
        // Axes: time at the bottom, rate on the left, latency on the right.
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>%n",
                LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>%n", LEFT, TOP, LEFT, TOP + plotH));
        long seconds = (long) (spanMs / 1000);
        long step = Math.max(1, seconds / 10);
        for (long sec = 0; sec <= seconds; sec += step) {
            double tx = LEFT + plotW * sec * 1000 / spanMs;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ds</text>%n", tx,
                    TOP + plotH + 16, sec));
        }
        // Ticks at quarters of each vertical scale, with units; the axes' titles beside them.
        for (int q = 0; q <= 4; q++) {
            double ty = TOP + plotH - plotH * q / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s/s</text>%n", LEFT - 4, ty, LEFT, ty, LEFT - 6, ty + 4,
                    Reports.number(maxRate * q / 4)));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\">%d ms</text>%n", LEFT + plotW, ty, LEFT + plotW + 4, ty, LEFT + plotW + 6,
                    ty + 4, Math.round(maxLatency * q / 4)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>%n",
                LEFT + plotW, TOP, LEFT + plotW, TOP + plotH));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                + "canaries completed per second</text>%n", TOP + plotH / 2));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(%d %.1f) rotate(90)\" text-anchor=\"middle\">"
                + "canary latency (ms)</text>%n", W - 10, TOP + plotH / 2));
        if (peakRate > maxRate) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" fill=\"#1a7f37\">"
                    + "catch-up peak %.0f/s, clipped</text>%n", LEFT + plotW - 4, TOP + 12, peakRate));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time since the first canary</text>%n",
                LEFT + plotW / 2, (double) H - 6));
        return s.append("</svg>\n").toString();
    }

    /**
     * A disruption from {@code from} to {@code to} (null: the end) as a grey band under the plot's
     * top, in one of three rows so that neighbours stay readable, with its label.
     */
    private static String band(Timeline t, Instant from, Instant to, double plotW, double spanMs, int row,
                               String label) {
        double x1 = x(t, from, plotW, spanMs);
        double x2 = to == null ? LEFT + plotW : x(t, to, plotW, spanMs);
        double y = TOP + 34 + 16 * row;
        return String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" fill=\"#57606a\" "
                + "fill-opacity=\"0.55\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#57606a\">%s</text>%n", x1, y,
                Math.max(2, x2 - x1), x2 + 3, y + 6, xml(label));
    }

    private static double x(Timeline t, Instant at, double plotW, double spanMs) {
        double ms = Duration.between(t.start(), at).toMillis();
        return LEFT + plotW * Math.max(0, Math.min(spanMs, ms)) / spanMs;
    }
}

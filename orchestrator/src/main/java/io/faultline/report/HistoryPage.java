package io.faultline.report;

import static io.faultline.report.JunitReport.xml;

import io.faultline.history.RunSummary;
import io.faultline.protocol.Verdict;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code history.html}: the trend of past game-days, one section per scenario with two SVG charts
 * (failover bound and canary p99 latency, one point per run coloured by its status) and the runs'
 * table. Self-contained like {@code report.html}: no scripts, no external files.
 */
public final class HistoryPage {
    private static final int W = 900;
    private static final int H = 220;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 24;
    private static final int BOTTOM = 46;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private HistoryPage() {
    }

    static String colour(Verdict.Status status) {
        return switch (status) {
            case PASSED -> "#1a7f37";
            case FAILED -> "#cf222e";
            case ABORTED -> "#9a6700";
            case ERROR -> "#6e7781";
        };
    }

    /** The page for {@code runs} (oldest first); {@code source} says where they were read, for the heading. */
    public static String render(List<RunSummary> runs, String source) {
        Map<String, List<RunSummary>> byScenario = new LinkedHashMap<>();
        for (RunSummary r : runs) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder b = new StringBuilder();
        b.append(Reports.htmlHead("Faultline: game-day history", "h2{margin-top:32px}td,th{white-space:nowrap}"))
                .append("<h1>Game-day history</h1>\n<p>").append(runs.size()).append(" run(s) from <code>")
                .append(xml(source)).append("</code>, oldest first. Times in UTC.</p>\n")
                .append("<p class=\"legend\">");
        for (Verdict.Status s : Verdict.Status.values()) {
            b.append("<span style=\"color:").append(colour(s)).append("\">&#9679; ").append(s).append("</span>");
        }
        b.append("<span>&#9650; failover: not recovered</span></p>\n");
        if (runs.isEmpty()) {
            b.append("<p>No game-day found.</p>\n");
        }
        for (var e : byScenario.entrySet()) {
            List<RunSummary> rs = e.getValue();
            long passed = rs.stream().filter(r -> r.status() == Verdict.Status.PASSED).count();
            b.append("<h2><code>").append(xml(e.getKey())).append("</code>: ").append(passed).append(" of ")
                    .append(rs.size()).append(" passed</h2>\n");
            b.append(chart(rs, "failover (s)", r -> r.failoverMs() == null ? null : r.failoverMs() / 1000.0, true));
            b.append(chart(rs, "canary latency p99 (ms)", r -> r.p99Ms() == null ? null : r.p99Ms().doubleValue(), false));
            b.append("<table><tr><th>time (UTC)</th><th>status</th><th>failover</th><th>lost</th><th>duplicated</th>")
                    .append("<th>p99</th><th>checks failed</th><th>run</th></tr>\n");
            for (RunSummary r : rs) {
                b.append("<tr><td>").append(r.finishedAt() == null ? "" : TIME.format(r.finishedAt()))
                        .append("</td><td class=\"").append(r.status()).append("\">").append(r.status()).append("</td><td>")
                        .append(r.notRecovered() ? "not recovered" : r.failoverMs() == null ? ""
                                : String.format(Locale.ROOT, "%.2f s", r.failoverMs() / 1000.0))
                        .append("</td><td>").append(r.lost() == null ? "" : r.lost()).append("</td><td>")
                        .append(r.duplicated() == null ? "" : r.duplicated()).append("</td><td>")
                        .append(r.p99Ms() == null ? "" : r.p99Ms() + " ms").append("</td><td>").append(r.checksFailed())
                        .append("</td><td><code>").append(xml(r.runId())).append("</code></td></tr>\n");
            }
            b.append("</table>\n");
        }
        return b.append("</body></html>\n").toString();
    }

    /**
     * One point per run, in run order along x; a run without a value leaves no point. With
     * {@code notRecoveredOnTop}, a run whose failover never recovered is a triangle at the top.
     */
    private static String chart(List<RunSummary> runs, String axis, Function<RunSummary, Double> value,
                                boolean notRecoveredOnTop) {
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        double max = HtmlReport.niceCeiling(Math.max(1, runs.stream().map(value).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).max().orElse(1)));
        int n = runs.size();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s per run\">%n<rect width=\"%d\" height=\"%d\" "
                + "fill=\"#fff\"/>%n", W, H, W, H, xml(axis), W, H));
        for (int q = 0; q <= 4; q++) {
            double y = TOP + plotH - plotH * q / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4,
                    Reports.number(max * q / 4)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>"
                + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>%n", LEFT, TOP, LEFT, TOP + plotH,
                LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
        StringBuilder line = new StringBuilder();
        int labelEvery = Math.max(1, (int) Math.ceil(n / 8.0));
        for (int i = 0; i < n; i++) {
            RunSummary r = runs.get(i);
            double x = LEFT + plotW * (n == 1 ? 0.5 : (i + 0.5) / n);
            if (i % labelEvery == 0 && r.finishedAt() != null) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x,
                        TOP + plotH + 16, DAY.format(r.finishedAt())));
            }
            String tip = "<title>" + xml(r.runId() + ": " + r.status()) + "</title>";
            if (notRecoveredOnTop && r.notRecovered()) {
                s.append(String.format(Locale.ROOT, "<path d=\"M%.1f,%.1f l5,9 l-10,0 z\" fill=\"%s\">%s</path>%n", x,
                        (double) TOP - 4, colour(r.status()), tip));
                continue;
            }
            Double v = value.apply(r);
            if (v == null) {
                continue;
            }
            double y = TOP + plotH - plotH * v / max;
            line.append(line.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\">%s</circle>%n", x, y,
                    colour(r.status()), tip));
        }
        if (line.length() > 0) {
            s.insert(s.indexOf("<line"), "<path fill=\"none\" stroke=\"#aaa\" d=\"" + line + "\"/>\n");
        }
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">%s"
                + "</text>%n<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">run, by the time it ended</text>%n",
                TOP + plotH / 2, xml(axis), LEFT + plotW / 2, H - 6));
        return s.append("</svg>\n").toString();
    }
}

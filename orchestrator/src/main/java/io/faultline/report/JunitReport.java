package io.faultline.report;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Verdict;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code junit.xml}: one test case per check, so CI systems list a game-day's checks as tests.
 * A run that errored or was aborted is one test case with an error carrying the reason.
 */
final class JunitReport {
    private JunitReport() {
    }

    static String render(Verdict v) {
        String suite = "faultline." + v.scenario();
        double seconds = v.startedAt() == null || v.finishedAt() == null ? 0
                : Duration.between(v.startedAt(), v.finishedAt()).toMillis() / 1000.0;
        StringBuilder cases = new StringBuilder();
        int failures = 0;
        int runErrors = v.status() == Verdict.Status.ERROR || v.status() == Verdict.Status.ABORTED ? 1 : 0;
        int errors = runErrors;
        int skipped = 0;
        if (runErrors > 0) {
            cases.append("    <testcase classname=\"").append(xml(suite)).append("\" name=\"run\">\n")
                    .append("      <error type=\"").append(v.status()).append("\" message=\"").append(xml(v.reason()))
                    .append("\"/>\n    </testcase>\n");
        }
        for (CheckResult c : v.checks()) {
            cases.append("    <testcase classname=\"").append(xml(suite)).append("\" name=\"").append(xml(c.name()))
                    .append("\">\n");
            if (c.outcome() == CheckResult.Outcome.UNKNOWN) {
                errors++;
                cases.append("      <error type=\"unknown\" message=\"").append(xml(c.summary())).append("\"/>\n");
            } else if (c.outcome() == CheckResult.Outcome.SKIP) {
                skipped++;
                cases.append("      <skipped message=\"").append(xml(c.summary())).append("\"/>\n");
            } else if (!c.passed()) {
                failures++;
                cases.append("      <failure type=\"check\" message=\"").append(xml(c.summary())).append("\">")
                        .append(xml(details(c))).append("</failure>\n");
            }
            cases.append("      <system-out>").append(xml(details(c))).append("</system-out>\n    </testcase>\n");
        }
        int tests = v.checks().size() + runErrors;
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + String.format(Locale.ROOT, "<testsuites name=\"faultline\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">%n",
                        tests, failures, errors, seconds)
                + String.format(Locale.ROOT, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\" timestamp=\"%s\">%n",
                        xml(suite), tests, failures, errors, skipped, seconds, v.startedAt())
                + "    <properties>\n      <property name=\"runId\" value=\"" + xml(v.runId()) + "\"/>\n"
                + "      <property name=\"status\" value=\"" + v.status() + "\"/>\n    </properties>\n"
                + cases + "  </testsuite>\n</testsuites>\n";
    }

    private static String details(CheckResult c) {
        StringBuilder b = new StringBuilder(c.summary());
        if (c.measured() != null) {
            b.append("\nmeasured: ").append(Reports.number(c.measured())).append(' ').append(c.unit());
        }
        if (c.threshold() != null) {
            b.append("\nthreshold: ").append(Reports.number(c.threshold())).append(' ').append(c.unit());
        }
        if (!c.offenders().isEmpty()) {
            b.append("\nfirst offending events: ").append(String.join(", ", c.offenders()));
        }
        return b.toString();
    }

    static String xml(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (ch >= 0x20 || ch == '\n' || ch == '\t') {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}

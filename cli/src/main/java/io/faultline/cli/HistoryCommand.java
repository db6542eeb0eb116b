package io.faultline.cli;

import io.faultline.engine.KafkaClients;
import io.faultline.history.RunSummary;
import io.faultline.history.VerdictLog;
import io.faultline.protocol.Durations;
import io.faultline.protocol.Json;
import io.faultline.report.Reports;
import io.faultline.report.HistoryPage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline history}: past game-days, one line each, from the verdicts topic. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Past game-days from the verdicts topic, oldest first: time, scenario, status, failover bound, "
                + "lost, duplicated, p99 latency, failed checks. Reads up to the end the topic has when it starts.",
                "Exit codes: 0 listed (even none), 2 bad option, 3 Kafka unreachable."})
public final class HistoryCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--scenario", paramLabel = "NAME", description = "Only runs of this scenario.")
    String scenario;

    @Option(names = "--since", paramLabel = "DURATION", description = "Only runs that ended this long ago or less "
            + "(e.g. 7d, 12h).")
    String since;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20",
            description = "At most the N latest runs (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "--json", description = "One JSON array of runs instead of the table, for machines.")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the trend page there: failover and "
            + "p99 latency per run as charts, one section per scenario, points coloured by status.")
    Path html;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (last < 1) {
            throw new IllegalArgumentException("--last " + last + ": must be at least 1");
        }
        Duration window = null;
        if (since != null) {
            try {
                window = Durations.parse(since);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--since " + since + ": " + e.getMessage());
            }
        }
        Instant from = window == null ? null : Instant.now().minus(window);
        try (var admin = KafkaClients.admin(kafka.connection())) {
            KafkaClients.checkReachable(admin, kafka.bootstrapServers, Duration.ofSeconds(15));
        }
        VerdictLog.Read read = VerdictLog.read(kafka.connection(), kafka.topics().verdicts(), from, Duration.ofMinutes(2));
        List<RunSummary> runs = read.verdicts().stream().map(RunSummary::of)
                .filter(r -> scenario == null || scenario.equals(r.scenario()))
                .filter(r -> from == null || r.finishedAt() == null || !r.finishedAt().isBefore(from))
                .toList();
        runs = runs.subList(Math.max(0, runs.size() - last), runs.size());
        PrintWriter out = spec.commandLine().getOut();
        if (html != null) {
            try {
                Files.writeString(html, HistoryPage.render(runs,
                        kafka.topics().verdicts()));
            } catch (IOException e) {
                throw new IllegalArgumentException("--html " + html + ": cannot write it: " + e.getMessage());
            }
            spec.commandLine().getErr().println("Trend page: " + html);
        }
        if (json) {
            out.println(Json.encodePretty(runs));
            out.flush();
            return ExitCodes.PASSED;
        }
        if (runs.isEmpty()) {
            out.println("No game-day on " + kafka.topics().verdicts() + (scenario == null ? "" : " for " + scenario)
                    + (since == null ? "" : " in the last " + since) + ".");
            out.flush();
            return ExitCodes.PASSED;
        }
        out.printf(Locale.ROOT, "%-16s  %-28s  %-7s  %10s  %6s  %6s  %8s  %-44s  %s%n", "time (UTC)", "scenario",
                "status", "failover", "lost", "dup", "p99", "run", "failed checks");
        for (RunSummary r : runs) {
            out.print(Reports.printable(String.format(Locale.ROOT, "%-16s  %-28s  %-7s  %10s  %6s  %6s  %8s  %-44s  %s%n",
                    r.finishedAt() == null ? "-" : TIME.format(r.finishedAt()), r.scenario(), r.status(),
                    r.notRecovered() ? "never" : r.failoverMs() == null ? "-" : seconds(r.failoverMs()),
                    r.lost() == null ? "-" : r.lost(), r.duplicated() == null ? "-" : r.duplicated(),
                    r.p99Ms() == null ? "-" : r.p99Ms() + " ms", r.runId(), failed(r))));
        }
        if (read.skipped() > 0) {
            out.println(read.skipped() + " record(s) on " + kafka.topics().verdicts() + " were not verdicts and were "
                    + "skipped.");
        }
        out.flush();
        return ExitCodes.PASSED;
    }

    /** The failed checks' names, the first five, and how many more. */
    private static String failed(RunSummary r) {
        if (r.failed().isEmpty()) {
            return "-";
        }
        List<String> first = r.failed().subList(0, Math.min(5, r.failed().size()));
        return String.join(", ", first) + (r.failed().size() > 5 ? " and " + (r.failed().size() - 5) + " more" : "");
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }
}

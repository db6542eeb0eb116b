package io.faultline.bench;

import io.faultline.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench/run}: every benchmark, side by side with its peer, on one embedded broker; writes results.json and results.md. */
@Command(name = "faultline-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks beside the peers. Writes DIR/results.json and DIR/results.md.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "bench/results", description = "Where to write results (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--only", split = ",", description = "Run only these: latency, undo, trogdor, verifier, footprint, fanout, canary, verify-scale, cluster-watch.")
    List<String> only;

    @Option(names = "--fanout", split = ",", defaultValue = "100,1000", description = "Agent counts for fan-out (default: ${DEFAULT-VALUE}).")
    List<Integer> fanout;

    @Option(names = "--canary-rates", split = ",", defaultValue = "1000,5000,10000",
            description = "Target rates of the canary benchmark, events/s (default: ${DEFAULT-VALUE}).")
    List<Integer> canaryRates;

    @Option(names = "--canary-events", defaultValue = "1000000",
            description = "Canaries of the canary benchmark's long run at the highest rate, for memory (default: "
                    + "${DEFAULT-VALUE}; 0: none).")
    long canaryEvents;

    @Option(names = "--scale-events", split = ",", defaultValue = "1000000,10000000",
            description = "Canaries of the verify-scale benchmark, no broker (default: ${DEFAULT-VALUE}).")
    List<Long> scaleEvents;

    @Option(names = "--scale-rate", defaultValue = "10000",
            description = "Canaries a second in verify-scale (default: ${DEFAULT-VALUE}; 1000 with 86400000 events is 24 hours).")
    int scaleRate;

    @Option(names = "--n", defaultValue = "1000", description = "Samples for the latency benchmarks (default: ${DEFAULT-VALUE}).")
    int n;

    private boolean wants(String name) {
        return only == null || only.contains(name);
    }

    @Override
    public Integer call() throws Exception {
        Report report = new Report();
        report.md("# Faultline benchmark results\n");
        report.md("Run " + ZonedDateTime.now(ZoneOffset.UTC) + " on " + Machine.describe() + ".\n");
        Path work = Files.createTempDirectory("faultline-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            String bootstrap = kafka.bootstrapServers();
            if (wants("latency")) {
                LatencyBench.run(bootstrap, work, n, report);
            }
            if (wants("undo")) {
                LatencyBench.undo(bootstrap, work, 50, 20, report);
            }
            if (wants("trogdor")) {
                TrogdorBench.run(bootstrap, work, Math.max(20, n / 20), report);
            }
            if (wants("verifier")) {
                VerifierBench.run(bootstrap, work, report);
            }
            if (wants("footprint")) {
                FootprintBench.run(bootstrap, work, report);
            }
            if (wants("verify-scale")) {
                for (long events : scaleEvents) {
                    CanaryBench.verifyAtScale(events, scaleRate, report);
                }
            }
            if (wants("canary")) {
                CanaryBench.run(bootstrap, work, canaryRates, Duration.ofSeconds(20), canaryEvents, report);
            }
            if (wants("cluster-watch")) {
                ClusterWatchBench.run(work, Duration.ofSeconds(30), report);
            }
            if (wants("fanout")) {
                for (int agents : fanout) {
                    FanOutBench.run(bootstrap, work, agents, 5, report);
                }
            }
        }
        report.write(out);
        System.out.println("results in " + out.resolve("results.json") + " and " + out.resolve("results.md"));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }
}

package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.Faultline;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import io.faultline.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code faultline history} over a verdicts topic holding passed, failed and errored runs of two
 * scenarios and a record that is not a verdict: one line per run, oldest first, with its figures;
 * filters by scenario and count; JSON for machines.
 */
class HistoryIT {
    private static final String PREFIX = "history-it.";
    private static final Instant T0 = Instant.now().minusSeconds(3600);
    private static String bootstrap;

    private static Verdict passed(String run, int minutes, long failoverMs, long p99) {
        Instant end = T0.plusSeconds(60L * minutes);
        FaultRecord f = new FaultRecord("kill-primary", "c-" + run, "agent-1", "process.kill", end.minusSeconds(30),
                end.minusSeconds(30), end.minusSeconds(15), end.minusSeconds(15), new FaultRecord.Failover(true, true,
                end.minusSeconds(30), end.minusSeconds(26), failoverMs - 100, failoverMs, 20, failoverMs, 0L, List.of()),
                null);
        return Verdict.judged(run, "primary-listener-crash", end.minusSeconds(40), end,
                List.of(new CheckResult("lost", CheckResult.Outcome.PASS, 0.0, 0.0, "events", "0 lost", List.of())),
                List.of(f), new CanaryStats(1000, 1000, 1000, 0, 0, 0, 0, 0, 50.0, new CanaryStats.Phase("run",
                        end.minusSeconds(40), end.minusSeconds(5), 1000, 1000, 200L, 400L, p99, p99 + 100, 50.0),
                        List.of()));
    }

    @BeforeAll
    static void publishPastRuns() throws Exception {
        bootstrap = TestKafka.bootstrapServers();
        String topic = PREFIX + "verdicts";
        TestKafka.createTopics(Map.of(topic, 1));
        Verdict failed = new Verdict(Verdict.SCHEMA_VERSION, "redis-outage-1", "redis-outage", Verdict.Status.FAILED, null,
                T0.plusSeconds(60L * 25), T0.plusSeconds(60L * 26),
                List.of(new CheckResult("lost", CheckResult.Outcome.FAIL, 2.0, 0.0, "events", "2 lost", List.of("r:1"))),
                List.of(), new CanaryStats(500, 500, 498, 2, 0, 0, 0, 0, 50.0));
        Verdict error = Verdict.error("primary-3", "primary-listener-crash", "preflight: no live agent matches",
                T0.plusSeconds(60L * 40), T0.plusSeconds(60L * 41));
        try (KafkaProducer<String, byte[]> p = KafkaClients.producer(bootstrap, "history-it")) {
            for (Object v : List.of(passed("primary-1", 10, 3800, 420), passed("primary-2", 20, 5200, 610), failed,
                    "not a verdict", error)) {
                byte[] value = v instanceof String s ? s.getBytes() : Json.encode(v);
                p.send(new ProducerRecord<>(topic, v instanceof Verdict verdict ? verdict.runId() : "x", value))
                        .get(15, TimeUnit.SECONDS);
            }
        }
    }

    private static String history(String... more) {
        StringWriter out = new StringWriter();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        String[] args = new String[more.length + 5];
        args[0] = "history";
        args[1] = "-b";
        args[2] = bootstrap;
        args[3] = "--topic-prefix";
        args[4] = PREFIX;
        System.arraycopy(more, 0, args, 5, more.length);
        assertThat(cl.execute(args)).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void listsEveryRunOldestFirstWithItsFigures() {
        String all = history();
        System.out.print(all);
        List<String> lines = all.lines().toList();
        assertThat(lines.get(0)).startsWith("time (UTC)").contains("scenario", "status", "failover", "p99");
        assertThat(lines.get(1)).contains("primary-listener-crash", "PASSED", "3.80 s", "420 ms", "primary-1");
        assertThat(lines.get(2)).contains("PASSED", "5.20 s", "610 ms", "primary-2");
        assertThat(lines.get(3)).contains("redis-outage", "FAILED", "2", "redis-outage-1").endsWith("  lost");
        assertThat(lines.get(0)).endsWith("failed checks");
        assertThat(lines.get(4)).contains("ERROR", "primary-3");
        assertThat(lines.get(5)).isEqualTo("1 record(s) on history-it.verdicts were not verdicts and were skipped.");
    }

    @Test
    void filtersByScenarioAndCountAndSpeaksJson() throws Exception {
        String two = history("--scenario", "primary-listener-crash", "--last", "2");
        assertThat(two).contains("primary-2", "primary-3").doesNotContain("primary-1", "redis-outage");
        JsonNode runs = Json.mapper().readTree(history("--json", "--scenario", "primary-listener-crash"));
        assertThat(runs.size()).isEqualTo(3);
        assertThat(runs.get(1).path("runId").asText()).isEqualTo("primary-2");
        assertThat(runs.get(1).path("failoverMs").asLong()).isEqualTo(5200);
        assertThat(runs.get(1).path("p99Ms").asLong()).isEqualTo(610);
        assertThat(runs.get(2).path("status").asText()).isEqualTo("ERROR");
        assertThat(history("--scenario", "nothing-like-it")).startsWith("No game-day on history-it.verdicts for "
                + "nothing-like-it.");
    }

    @Test
    void writesTheTrendPage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path page = dir.resolve("history.html");
        history("--html", page.toString());
        String html = Files.readString(page);
        assertThat(html).contains("<code>primary-listener-crash</code>: 2 of 3 passed", "<code>redis-outage</code>: 0 of 1 passed",
                "failover (s)", "canary latency p99 (ms)", "run, by the time it ended");
        // primary-1 and primary-2 in both charts; the ERROR run and redis-outage-1 (no fault, no latency) have no point.
        assertThat(html.split("<circle").length - 1).isEqualTo(4);
        assertThat(html).contains("<title>primary-2: PASSED</title>").doesNotContain("<title>primary-3: ERROR</title>");
    }
}

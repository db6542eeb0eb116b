package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.cli.Faultline;
import io.faultline.demo.ChildJvm;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import io.faultline.testkit.TestKafka;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code faultline exporter} scraped by the real {@code prometheus} from Debian's package: verdicts
 * on the topic become per-scenario metrics a dashboard can query.
 */
class ExporterIT {
    private static final String PREFIX = "exporter-it.";

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Verdict passed(String run, Instant end, long failoverMs, long p99) {
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

    private static double query(HttpClient http, int prometheus, String promql) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheus + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonNode result = Json.mapper().readTree(body).path("data").path("result");
        return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
    }

    @Test
    void prometheusScrapesVerdictsAsMetricsPerScenario() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/prometheus"));
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(present, "prometheus is not installed; skipping");
        }
        assertThat(present).as("Debian's prometheus package").isTrue();
        String bootstrap = TestKafka.bootstrapServers();
        String topic = PREFIX + "verdicts";
        TestKafka.createTopics(Map.of(topic, 1));
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> p = KafkaClients.producer(bootstrap, "exporter-it")) {
            for (Verdict v : List.of(passed("primary-1", now.minusSeconds(600), 3800, 420),
                    passed("primary-2", now.minusSeconds(60), 5200, 610),
                    new Verdict(Verdict.SCHEMA_VERSION, "redis-1", "redis-outage", Verdict.Status.FAILED, null,
                            now.minusSeconds(300), now.minusSeconds(240), List.of(new CheckResult("lost",
                            CheckResult.Outcome.FAIL, 2.0, 0.0, "events", "2 lost", List.of())), List.of(),
                            new CanaryStats(500, 500, 498, 2, 0, 0, 0, 0, 50.0)))) {
                p.send(new ProducerRecord<>(topic, v.runId(), Json.encode(v))).get(15, TimeUnit.SECONDS);
            }
        }
        int exporterPort = freePort();
        Thread exporter = new Thread(() -> Faultline.commandLine().execute("exporter", "-b", bootstrap, "--topic-prefix",
                PREFIX, "--port", Integer.toString(exporterPort)), "exporter");
        exporter.setDaemon(true);
        exporter.start();
        Path dir = Files.createTempDirectory("faultline-exporter");
        int prometheusPort = freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s}
                scrape_configs:
                  - job_name: faultline
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(exporterPort));
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> query(http, prometheusPort,
                    "faultline_gameday_failover_seconds{scenario=\"primary-listener-crash\"}") == 5.2);
            assertThat(query(http, prometheusPort, "faultline_gameday_last_status{scenario=\"redis-outage\","
                    + "status=\"FAILED\"}")).isEqualTo(1.0);
            assertThat(query(http, prometheusPort, "faultline_gameday_last_status{scenario=\"redis-outage\","
                    + "status=\"PASSED\"}")).isEqualTo(0.0);
            assertThat(query(http, prometheusPort, "faultline_gameday_runs_total{scenario=\"primary-listener-crash\","
                    + "status=\"PASSED\"}")).isEqualTo(2.0);
            assertThat(query(http, prometheusPort, "faultline_gameday_latency_seconds{scenario=\"primary-listener-crash\","
                    + "quantile=\"0.99\"}")).isEqualTo(0.61);
            assertThat(query(http, prometheusPort, "faultline_gameday_lost_events{scenario=\"redis-outage\"}"))
                    .isEqualTo(2.0);
            assertThat(query(http, prometheusPort, "time() - faultline_gameday_last_run_timestamp_seconds{scenario="
                    + "\"primary-listener-crash\"}")).isBetween(55.0, 600.0);
        } finally {
            ChildJvm.stop(prometheus, Duration.ofSeconds(10));
        }
    }
}

package io.faultline.it;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.AlertSources;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.RunResult;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.TelemetryFeed;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/**
 * Alerts that must fire and resolve, with the real {@code prometheus} and
 * {@code prometheus-alertmanager} from Debian's packages: Prometheus scrapes the order listeners'
 * metrics and evaluates an ingestion-lag rule; Alertmanager notifies the orchestrator's webhook
 * and an alert bridge, and the orchestrator also polls its API. The primary listener is killed:
 * {@code IngestionLagHigh} must fire and resolve after the standby takes over, and an alert that
 * never fires must fail its check.
 */
class AlertsIT {
    private static final String WEBHOOK_TOKEN = "alerts-it-token";
    private static final String GROUP = "alert-listeners";
    private static final List<Process> processes = new ArrayList<>();
    private static Path dir;
    private static String bootstrap;
    private static int webhookPort;
    private static int alertmanagerPort;
    private static int prometheusPort;

    @BeforeAll
    static void start() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        for (String binary : List.of("prometheus", "prometheus-alertmanager")) {
            boolean present = List.of("/usr/bin/", "/usr/local/bin/", "/bin/").stream()
                    .anyMatch(p -> Files.isExecutable(Path.of(p + binary)));
            if (!present && ci) {
                throw new IllegalStateException(binary + " is missing (install Debian's " + binary + " package)");
            }
            Assumptions.assumeTrue(present, binary + " is not installed; skipping the alert tests");
        }
        bootstrap = TestKafka.bootstrapServers();
        dir = Files.createTempDirectory("faultline-alerts-");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureFaultlineTopics(admin, Topics.defaults());
            KafkaClients.ensureTopics(admin, Map.of("alerts-in", 1, "alerts-out", 1));
        }
        List<Integer> metrics = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            String name = "alerts-listener-" + i;
            int port = freePort();
            metrics.add(port);
            Path pid = dir.resolve(name + ".pid");
            processes.add(ChildJvm.start("io.faultline.examples.OrderListenerMain", List.of("-Xmx128m"), List.of(
                    "--bootstrap-servers", bootstrap, "--mode", "exactly-once", "--instance", name, "--group", GROUP,
                    "--input", "alerts-in", "--output", "alerts-out", "--processing-ms", "50",
                    "--session-timeout-ms", "6000", "--transaction-timeout-ms", "6000", "--metrics-port",
                    Integer.toString(port), "--pid-file", pid.toString(), "--exit-with-parent"), dir.resolve(name + ".log")));
            processes.add(AgentProcess.of("alerts-agent-" + i, bootstrap, dir).label("role", "alert-listener")
                    .label("client-id", name).heartbeatMs(500).option("--service-pid-file", pid.toString()).start());
        }
        int bridgePort = freePort();
        // Both receivers require a bearer token; Alertmanager sends it from a credentials file.
        Files.writeString(dir.resolve("webhook.token"), WEBHOOK_TOKEN + "\n");
        processes.add(ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx96m"), List.of("alert-bridge",
                "--listen", "127.0.0.1:" + bridgePort, "-b", bootstrap, "--webhook-token-file",
                dir.resolve("webhook.token").toString()), dir.resolve("alert-bridge.log")));
        webhookPort = freePort();
        alertmanagerPort = freePort();
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: faultline
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 1h
                receivers:
                  - name: faultline
                    webhook_configs:
                      - url: http://127.0.0.1:%d/alerts
                        send_resolved: true
                        http_config:
                          authorization:
                            credentials_file: %s
                      - url: http://127.0.0.1:%d/alerts
                        send_resolved: true
                        http_config:
                          authorization:
                            credentials_file: %s
                """.formatted(webhookPort, dir.resolve("webhook.token"), bridgePort, dir.resolve("webhook.token")));
        processes.add(new ProcessBuilder("prometheus-alertmanager", "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("am-data"), "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--cluster.listen-address=").redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile())
                .start());
        prometheusPort = freePort();
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: orders
                    interval: 1s
                    rules:
                      - alert: IngestionLagHigh
                        expr: time() - max(order_listener_caught_up_timestamp_seconds) > 2
                        labels: {severity: page}
                        annotations: {summary: "no order listener has kept up with its partitions for 2 s"}
                      - alert: NeverFires
                        expr: vector(0) > 1
                """);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [rules.yml]
                alerting:
                  alertmanagers:
                    - static_configs: [{targets: ['127.0.0.1:%d']}]
                scrape_configs:
                  - job_name: orders
                    static_configs: [{targets: ['127.0.0.1:%d', '127.0.0.1:%d']}]
                """.formatted(alertmanagerPort, metrics.get(0), metrics.get(1)));
        processes.add(new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--rules.alert.resend-delay=1s").redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start());
        HttpClient http = HttpClient.newHttpClient();
        // Both listeners scraped and the group formed: the steady state the game-day starts from.
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            String up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                    + "/api/v1/query?query=sum(up%7Bjob%3D%22orders%22%7D)")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return up.contains("\"2\"");
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + alertmanagerPort + "/-/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            DemoCluster.awaitGroup(admin, GROUP, 2, Duration.ofSeconds(90), List.of(), dir);
        }
    }

    @AfterAll
    static void stop() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            ChildJvm.stop(processes.get(i), Duration.ofSeconds(10));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void ingestionLagFiresDuringFailoverAndResolvesAfterItAndASilentAlertFailsItsCheck() throws Exception {
        Scenario scenario = ScenarioLoader.parse(Path.of("alerts.yaml"), """
                name: listener-crash-alerts
                targets:
                  listener:
                    labels: {role: alert-listener}
                    pick: partition-owner
                    group: alert-listeners
                    topic: alerts-in
                workload:
                  canary: {inputTopic: alerts-in, outputTopic: alerts-out, rate: 20, preflightTimeout: 60s}
                steps:
                  - wait: 5s
                  - name: kill-primary
                    inject:
                      target: listener
                      fault: {type: process.kill, signal: KILL}
                  - wait: 20s
                  - heal: kill-primary
                drain: 10s
                checks:
                  failover: 30s
                  alerts:
                    - {name: IngestionLagHigh, firesWithin: 15s, resolvesWithin: 20s, maxFlaps: 1}
                    - {name: NeverFires, firesWithin: 15s}
                probes:
                  - name: lag-recovers
                    kafkaLag: {group: alert-listeners, topic: alerts-in, max: 100}
                    mode: after
                  - name: both-listeners-up
                    prometheus: {url: "http://127.0.0.1:%d", query: 'sum(up{job="orders"})', min: 2}
                    mode: during
                """.formatted(prometheusPort));
        RunOptions d = RunOptions.defaults(bootstrap, System.out, TestKeys.signer());
        GameDay gameDay = new GameDay(new RunOptions(bootstrap, Topics.defaults(), Duration.ofSeconds(30),
                d.heartbeatMaxAge(), d.commandTimeout(), System.out, d.signer()),
                new AlertSources(new InetSocketAddress("127.0.0.1", webhookPort),
                        URI.create("http://127.0.0.1:" + alertmanagerPort), WEBHOOK_TOKEN), Clock.systemUTC());
        try (TelemetryFeed feed = new TelemetryFeed(bootstrap, Topics.defaults().telemetry(), Clock.systemUTC(),
                Duration.ofSeconds(1))) {
            RunResult result = gameDay.run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC()));
            Verdict v = SchemaCheck.conforming(result.verdict());
            System.out.println(Reports.summary(v));
            Reports.writeAll(dir.resolve("report"), v, result.timeline());
            assertThat(check(v, "alert[IngestionLagHigh].fires").passed()).as(check(v, "alert[IngestionLagHigh].fires").summary())
                    .isTrue();
            assertThat(check(v, "alert[IngestionLagHigh].resolves").passed())
                    .as(check(v, "alert[IngestionLagHigh].resolves").summary()).isTrue();
            CheckResult silent = check(v, "alert[NeverFires].fires");
            assertThat(silent.passed()).isFalse();
            assertThat(silent.summary()).contains("never fired after the injection");
            assertThat(v.status()).isEqualTo(Verdict.Status.FAILED);
            assertThat(check(v, "lost").passed()).isTrue();
            // Steady-state probes against the real Kafka and Prometheus: the lag is back after the heal,
            // while during the fault one of the two scraped listeners is down.
            assertThat(check(v, "probe[lag-recovers]").passed()).as(check(v, "probe[lag-recovers]").summary()).isTrue();
            CheckResult up = check(v, "probe[both-listeners-up]");
            assertThat(up.passed()).isFalse();
            assertThat(up.summary()).contains("sum(up{job=\"orders\"}) = 1.0");
            // The bridge forwarded the same notifications to telemetry.
            assertThat(feed.alertEvents(v.startedAt())).extracting(r -> r.event().alertname()).contains("IngestionLagHigh");
            // The evidence kept with the run: Alertmanager's bodies as received, every notice and sample,
            // and the agent's reports on the run's commands.
            Path evidence = Reports.writeEvidence(dir.resolve("report"), result.evidence());
            String webhook = Files.readString(evidence.resolve("alertmanager-webhook.jsonl"));
            assertThat(webhook.lines()).isNotEmpty().allSatisfy(line -> assertThat(line).contains("\"source\":\"webhook\""));
            assertThat(webhook).contains("IngestionLagHigh", "firing", "resolved");
            assertThat(Files.readString(evidence.resolve("alerts.json"))).contains("\"source\" : \"api\"",
                    "\"source\" : \"webhook\"");
            assertThat(Files.readString(evidence.resolve("probes.json"))).contains("lag-recovers", "both-listeners-up");
            assertThat(Files.readString(evidence.resolve("commands.json"))).contains("\"applied\"", "\"undone\"");
        }
    }

    private static CheckResult check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }
}

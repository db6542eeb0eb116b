package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A game-day with no canary: seed 004's post-deploy smoke checks (a health endpoint, a CORS
 * preflight, a 401 without a token) as HTTP probes against a real Python service, around a
 * freeze of that service applied by a real agent. No Kafka traffic of the system under test.
 */
class SmokeDrillIT {
    private static final String SCENARIO = """
            name: api-smoke
            description: post-deploy smoke checks around a freeze of the API; no canary traffic
            targets:
              api: {labels: {drill: TAG}}
            steps:
              - wait: 1s
              - name: freeze-api
                inject:
                  target: api
                  fault: {type: process.kill, signal: STOP}
                  lease: 20s
              - wait: 2s
              - heal: freeze-api
              - wait: 3s
            probes:
              - name: health
                http: {url: "http://127.0.0.1:PORT/health", status: 200, bodyContains: '"ok"', timeout: 1s}
                mode: after
              - name: cors-preflight
                http:
                  url: "http://127.0.0.1:PORT/api/orders"
                  method: OPTIONS
                  headers: {Origin: "https://shop.example", Access-Control-Request-Method: POST}
                  status: 204
                  expectHeaders: {Access-Control-Allow-Origin: "https://shop.example"}
                  timeout: 1s
                mode: after
              - name: no-token
                http:
                  url: "http://127.0.0.1:PORT/api/orders"
                  status: 401
                  expectHeaders: {WWW-Authenticate: Bearer}
                  timeout: 1s
                mode: after
            """;

    @Test
    void probesAloneJudgeTheRunAndALostCorsConfigurationFailsIt() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        Topics topics = Topics.defaults();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1));
        }
        Path work = Files.createTempDirectory("faultline-smoke");
        Path api = work.resolve("api.py");
        Files.copy(Path.of("src", "test", "resources", "smoke", "api.py"), api);
        RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(15), System.out, TestKeys.signer());

        Verdict good = drill(work, api, options, "smoke-good");
        assertThat(good.status()).as(good.reason() + " " + good.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(good.canary()).as("no canary, no counts").isNull();
        assertThat(good.checks()).extracting(CheckResult::name).containsExactly("healthy[freeze-api]",
                "probe[health]", "probe[cors-preflight]", "probe[no-token]", "undone", "authentic");
        assertThat(good.faults()).singleElement().satisfies(f -> {
            assertThat(f.appliedAt()).isNotNull();
            assertThat(f.undoneAt()).isNotNull();
            assertThat(f.failover()).isNull();
        });

        Verdict broken = drill(work, api, options, "smoke-no-cors", "--no-cors");
        assertThat(broken.status()).isEqualTo(Verdict.Status.FAILED);
        CheckResult cors = broken.checks().stream().filter(c -> c.name().equals("probe[cors-preflight]")).findFirst()
                .orElseThrow();
        assertThat(cors.passed()).isFalse();
        assertThat(cors.summary()).contains("header Access-Control-Allow-Origin missing");
        assertThat(broken.checks().stream().filter(c -> !c.name().equals("probe[cors-preflight]")))
                .allMatch(CheckResult::passed);
    }

    /** Starts the API under an agent, runs the scenario against it, and stops both. */
    private static Verdict drill(Path work, Path api, RunOptions options, String tag, String... apiFlags)
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String[] command = new String[3 + apiFlags.length];
        command[0] = "python3";
        command[1] = api.toString();
        command[2] = Integer.toString(port);
        System.arraycopy(apiFlags, 0, command, 3, apiFlags.length);
        Process agent = AgentProcess.of("smoke-" + tag, TestKafka.bootstrapServers(), work)
                .label("drill", tag).exec(command).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI health = URI.create("http://127.0.0.1:" + port + "/health");
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            Scenario scenario = ScenarioLoader.parse(Path.of(tag + ".yaml"),
                    SCENARIO.replace("PORT", Integer.toString(port)).replace("TAG", tag));
            Verdict v = SchemaCheck.conforming(new GameDay(options, Clock.systemUTC())
                    .run(scenario, GameDay.newRunId(tag, Clock.systemUTC())).verdict());
            System.out.println(Reports.summary(v));
            return v;
        } finally {
            agent.destroy();
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }
}

package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code scenarios/primary-listener-crash.yaml} against a service that does not use the Java
 * client: two instances of an at-least-once order service on librdkafka (Debian's
 * {@code python3-confluent-kafka}), each with an agent beside it. The owner is found by its
 * librdkafka client.id and SIGKILLed; its partition moves, nothing is lost, and the duplicates the
 * verdict counts are exactly those an independent read of the output topic finds. Needs
 * {@code /usr/bin/python3} with {@code confluent_kafka}: skipped without it, except with
 * {@code CI=true}, where it fails.
 */
class LibrdkafkaIT {
    private static final Path SERVICE = Path.of("src", "test", "resources", "librdkafka", "order_service.py");
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void aLibrdkafkaServiceFailsOverAndTheVerdictCountsWhatItsOutputHolds() throws Exception {
        boolean available = pythonClient();
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(available, "needs " + PYTHON + " with confluent_kafka (apt-get install python3-confluent-kafka)");
        }
        assertThat(available).as(PYTHON + " with confluent_kafka (python3-confluent-kafka)").isTrue();

        String bootstrap = TestKafka.bootstrapServers();
        String group = "rdkafka-listeners";
        String in = "rdkafka.orders";
        String out = "rdkafka.orders.processed";
        String yaml = Files.readString(Path.of("..", "scenarios", "primary-listener-crash.yaml"))
                .replace("group: order-listeners", "group: " + group).replace("orders.processed", "@OUT@")
                .replaceAll("\\borders\\b", in).replace("@OUT@", out).replace("role: listener}", "role: rdkafka}");
        Scenario scenario = ScenarioLoader.parse(Path.of("primary-listener-crash.yaml"), yaml);
        Path work = Files.createTempDirectory("faultline-rdkafka");
        Topics topics = Topics.defaults();
        List<Process> processes = new ArrayList<>();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    in, 1, out, 1));
            List<Process> services = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                String instance = "rdkafka-service-" + i;
                Path pid = work.resolve(instance + ".pid");
                Process service = new ProcessBuilder(PYTHON, SERVICE.toAbsolutePath().toString(), bootstrap, group,
                        instance, in, out, pid.toString()).redirectErrorStream(true)
                        .redirectOutput(work.resolve(instance + ".log").toFile()).start();
                services.add(service);
                processes.add(service);
                awaitFile(pid, service);
                processes.add(AgentProcess.of("agent-" + instance, bootstrap, work).label("role", "rdkafka")
                        .label("client-id", instance).option("--service-pid-file", pid.toString()).start());
            }
            DemoCluster.awaitGroup(admin, group, 2, Duration.ofSeconds(60), services, work);
            RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                    Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, TestKeys.signer());
            Clock clock = Clock.systemUTC();
            Verdict v = SchemaCheck.conforming(new GameDay(options, clock).run(scenario, GameDay.newRunId("rdkafka", clock)).verdict());
            System.out.println(Reports.summary(v));

            assertThat(v.faults()).as(v.reason()).hasSize(1);
            assertThat(v.faults().get(0).agentId()).as("the owner, found by its librdkafka client.id")
                    .startsWith("agent-rdkafka-service-");
            assertThat(v.faults().get(0).failover().outage()).isTrue();
            assertThat(v.faults().get(0).failover().recovered()).isTrue();
            assertThat(v.canary().lost()).isZero();
            assertThat(v.canary().observed()).isEqualTo(v.canary().acknowledged()).isPositive();
            assertThat(v.canary().duplicated()).isEqualTo(duplicatesIn(bootstrap, out, v.runId()));
        } finally {
            processes.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
        }
    }

    private static boolean pythonClient() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitFile(Path file, Process owner) {
        Awaitility.await("the librdkafka service writes its pid file").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    assertThat(owner.isAlive()).as("the librdkafka service started").isTrue();
                    return Files.exists(file);
                });
    }

    /** Canaries of the run found more than once on the output topic, read independently of the verifier. */
    private static long duplicatesIn(String bootstrap, String topic, String runId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    String id = Json.mapper().readTree(r.value()).path("id").asText();
                    if (id.startsWith(runId + ":")) {
                        counts.merge(id, 1, Integer::sum);
                    }
                }
            }
        }
        return counts.values().stream().filter(n -> n > 1).count();
    }
}

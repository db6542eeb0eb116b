package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The library's {@code kafka-streams-owner-crash} game-day against Kafka Streams applications (two instances, one partition: an owner and a
 * standby), each with an agent beside it: the owner is found through the group's
 * {@code <client.id>-StreamThread-1-consumer} member and killed with SIGKILL. Under
 * {@code exactly_once_v2} the run passes with nothing lost or duplicated; under
 * {@code at_least_once} with a 10 s commit interval the duplicates the verdict counts are exactly
 * those an independent read of the output topic finds; a topology that changes the payload is
 * verified through the canary adapter.
 */
class KafkaStreamsIT {


    private record Run(Verdict verdict, String bootstrap, String output) {
        CheckResult check(String name) {
            return verdict.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no check " + name + " in " + verdict.checks()));
        }
    }

    private static Run gameDay(String tag, String guarantee, long commitMs, String topology, String outputAdapter)
            throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String app = "streams-" + tag;
        String in = app + ".in";
        String out = app + ".out";
        String yaml = Files.readString(Path.of("..", "scenarios", "kafka-streams-owner-crash.yaml"))
                .replace("    # output: {jsonPointer: /paymentId}\n", outputAdapter)
                .replace("orders-enricher", app).replace("orders.enriched", out).replaceAll("\\borders\\b", in)
                .replace("role: streams}", "role: " + app + "}");
        Scenario scenario = ScenarioLoader.parse(Path.of("kafka-streams-owner-crash.yaml"), yaml);
        Path work = Files.createTempDirectory("faultline-streams-" + tag);
        Topics topics = Topics.defaults();
        List<Process> processes = new ArrayList<>();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    in, 1, out, 1));
            for (int i = 1; i <= 2; i++) {
                String instance = app + "-" + i;
                Path pid = work.resolve(instance + ".pid");
                processes.add(ChildJvm.start("io.faultline.it.streams.StreamsApp", List.of("-Xmx128m"), List.of(
                        bootstrap, app, instance, in, out, guarantee, Long.toString(commitMs), topology,
                        work.resolve("state-" + i).toString(), pid.toString()), work.resolve(instance + ".log")));
                processes.add(AgentProcess.of("agent-" + instance, bootstrap, work).label("role", app)
                        .label("client-id", instance).option("--service-pid-file", pid.toString()).start());
            }
            DemoCluster.awaitGroup(admin, app, 2, Duration.ofSeconds(90), List.of(processes.get(0), processes.get(2)),
                    work);
            RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                    Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, TestKeys.signer());
            Clock clock = Clock.systemUTC();
            Verdict v = SchemaCheck.conforming(new GameDay(options, clock).run(scenario, GameDay.newRunId(tag, clock)).verdict());
            System.out.println(Reports.summary(v));
            return new Run(v, bootstrap, out);
        } finally {
            processes.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
        }
    }

    @Test
    void anExactlyOnceStreamsApplicationFailsOverWithNothingLostOrDuplicated() throws Exception {
        Run r = gameDay("eos", "exactly_once_v2", 1000, "passthrough", "");

        assertThat(r.verdict().status()).as(r.verdict().checks().toString()).isEqualTo(Verdict.Status.PASSED);
        assertThat(r.verdict().canary().lost()).isZero();
        assertThat(r.verdict().canary().duplicated()).isZero();
        assertThat(r.verdict().canary().observed()).isEqualTo(r.verdict().canary().acknowledged()).isPositive();
        assertThat(r.verdict().faults().get(0).agentId()).as("the owner's agent, found by client-id prefix")
                .startsWith("agent-streams-eos-");
        assertThat(r.verdict().faults().get(0).failover().outage()).isTrue();
        assertThat(r.verdict().faults().get(0).failover().recovered()).isTrue();
    }

    @Test
    void anAtLeastOnceStreamsApplicationDuplicatesAndTheVerdictCountsExactlyWhatTheTopicHolds() throws Exception {
        Run r = gameDay("alos", "at_least_once", 10_000, "passthrough", "");

        assertThat(r.verdict().canary().lost()).isZero();
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<String, byte[]> rec : readAll(r.bootstrap(), r.output())) {
            String id = Json.mapper().readTree(rec.value()).path("id").asText();
            if (id.startsWith(r.verdict().runId() + ":")) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        long duplicated = counts.values().stream().filter(n -> n > 1).count();
        assertThat(duplicated).as("a crash with 10 s of uncommitted progress re-processes it").isPositive();
        assertThat(r.verdict().canary().duplicated()).isEqualTo(duplicated);
        CheckResult dup = r.check("duplicated");
        assertThat(dup.passed()).isFalse();
        assertThat(dup.summary()).as("Kafka Streams reports no input offset: no cause is guessed")
                .contains(duplicated + " cause unknown").doesNotContain("re-processed");
        assertThat(r.verdict().status()).isEqualTo(Verdict.Status.FAILED);
    }

    @Test
    void aTopologyThatChangesThePayloadIsVerifiedThroughTheCanaryAdapter() throws Exception {
        Run r = gameDay("payments", "exactly_once_v2", 1000, "payments",
                "    output: {jsonPointer: /paymentId}\n");

        assertThat(r.verdict().status()).as(r.verdict().checks().toString()).isEqualTo(Verdict.Status.PASSED);
        assertThat(r.verdict().canary().observed()).isEqualTo(r.verdict().canary().acknowledged()).isPositive();
        assertThat(r.verdict().canary().lost()).isZero();
        assertThat(r.verdict().canary().duplicated()).isZero();
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}

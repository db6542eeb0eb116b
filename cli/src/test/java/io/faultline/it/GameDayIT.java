package io.faultline.it;

import io.faultline.cli.Faultline;
import io.faultline.cli.SchemaCheck;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import picocli.CommandLine;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * The primary-listener-crash game-day end to end on a real broker with three real listener
 * processes and their agents, once per delivery mode.
 */
class GameDayIT {

    private record Outcome(Verdict verdict, String bootstrap, String outputTopic) {
        CheckResult check(String name) {
            return verdict.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        }

        FaultRecord.Failover failover() {
            return verdict.faults().get(0).failover();
        }
    }

    private static Outcome runGameDay(String mode, Duration commitInterval) throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String tag = mode.replace("-", "");
        String yaml = Files.readString(Path.of("..", "scenarios", "primary-listener-crash.yaml"))
                .replaceAll("\\borders\\b", "orders-" + tag)
                .replace("group: order-listeners", "group: listeners-" + tag)
                // A listener that loses canaries makes the drain wait its whole length: 8 s is ample
                // for what is in flight (a few hundred milliseconds here).
                .replace("drain: 15s", "drain: 8s");
        Scenario scenario = ScenarioLoader.parse(Path.of("primary-listener-crash.yaml"), yaml);
        var canary = scenario.workload().canary();
        Path work = Files.createTempDirectory("faultline-it-" + tag);
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics topics = Topics.defaults();
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    canary.inputTopic(), 1, canary.outputTopic(), 1));
            DemoCluster.ListenerSettings demo = DemoCluster.ListenerSettings.demo(mode, "listeners-" + tag,
                    canary.inputTopic(), canary.outputTopic());
            DemoCluster.ListenerSettings settings = new DemoCluster.ListenerSettings(demo.mode(), demo.group(),
                    demo.input(), demo.output(), demo.processing(), demo.sessionTimeout(), demo.transactionTimeout(),
                    commitInterval);
            try (DemoCluster cluster = DemoCluster.start(bootstrap, 3, settings, work, tag + "-")) {
                cluster.awaitGroup(admin, "listeners-" + tag, 3, Duration.ofSeconds(90));
                RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, cluster.signer());
                Clock clock = Clock.systemUTC();
                Verdict v = SchemaCheck.conforming(new GameDay(options, clock).run(scenario, GameDay.newRunId(scenario.name() + "-" + tag, clock)).verdict());
                System.out.println(Reports.summary(v));
                return new Outcome(v, bootstrap, canary.outputTopic());
            }
        }
    }

    @Test
    void exactlyOnceListenerFailsOverWithNoLossAndNoDuplicates() throws Exception {
        Outcome o = runGameDay("exactly-once", Duration.ofSeconds(1));
        assertThat(o.verdict().status()).isEqualTo(Verdict.Status.PASSED);
        assertThat(o.verdict().canary().lost()).isZero();
        assertThat(o.verdict().canary().duplicated()).isZero();
        assertThat(o.verdict().canary().observed()).isEqualTo(o.verdict().canary().acknowledged()).isPositive();
        FaultRecord.Failover f = o.failover();
        assertThat(f.outage()).as("a SIGKILLed partition owner causes an outage").isTrue();
        assertThat(f.recovered()).isTrue();
        assertThat(f.lowerMs()).isPositive().isLessThanOrEqualTo(f.upperMs());
        assertThat(f.upperMs()).isEqualTo(o.check("failover[kill-primary]").measured().longValue());
        assertThat(o.verdict().faults().get(0).appliedAt()).isAfterOrEqualTo(o.verdict().faults().get(0).invokedAt());

        // The same verdict was published to the verdicts topic.
        List<ConsumerRecord<String, byte[]>> published = readAll(o.bootstrap(), Topics.defaults().verdicts(), false);
        assertThat(published).anySatisfy(r -> {
            assertThat(r.key()).isEqualTo(o.verdict().runId());
            assertThat(Json.decode(r.value(), Verdict.class)).isEqualTo(o.verdict());
        });

        // The log is the audit trail: the verdict can be computed again from it alone.
        StringWriter out = new StringWriter();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("replay", o.verdict().runId(), "-b", o.bootstrap())).as(out.toString()).isZero();
        assertThat(out.toString()).contains("the verdict matches the original (PASSED)");
    }

    @Test
    void atMostOnceListenerLosesEventsAndTheVerdictSaysSo() throws Exception {
        Outcome o = runGameDay("at-most-once", Duration.ofSeconds(1));
        assertThat(o.verdict().status()).isEqualTo(Verdict.Status.FAILED);
        CheckResult lost = o.check("lost");
        assertThat(lost.passed()).isFalse();
        assertThat(lost.measured()).isPositive();
        assertThat(lost.offenders()).isNotEmpty().allMatch(id -> id.startsWith(o.verdict().runId() + ":"));
        assertThat(o.verdict().canary().lost()).isEqualTo(lost.measured().longValue());
    }

    @Test
    void atLeastOnceListenerDuplicatesButNeverLoses() throws Exception {
        // Commit every 3 s, so the crash lands after outputs that were not yet committed.
        Outcome o = runGameDay("at-least-once", Duration.ofSeconds(3));
        assertThat(o.verdict().canary().lost()).isZero();
        CheckResult dup = o.check("duplicated");
        assertThat(dup.passed()).isFalse();
        assertThat(o.verdict().status()).isEqualTo(Verdict.Status.FAILED);

        // Count duplicates independently from the output topic: the verdict must agree exactly.
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(o.bootstrap(), o.outputTopic(), true)) {
            String id = Json.mapper().readTree(r.value()).path("id").asText();
            if (id.startsWith(o.verdict().runId() + ":")) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        long duplicated = counts.values().stream().filter(n -> n > 1).count();
        assertThat(duplicated).isPositive();
        assertThat(o.verdict().canary().duplicated()).isEqualTo(duplicated);
        assertThat(dup.measured()).isEqualTo((double) duplicated);
        // The killed member's uncommitted inputs went to the survivor: redeliveries, on the evidence of processed-by.
        assertThat(dup.summary()).contains("(" + duplicated + " redelivered: ");
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, boolean committedOnly) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}

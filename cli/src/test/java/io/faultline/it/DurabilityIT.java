package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.RunOptions;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Durability of what Kafka acknowledged: acknowledged canaries deleted from the input log
 * mid-run (a real deletion on a real broker, as retention or an operator would) are found gone
 * when the run reads its logs back, and the verdict says {@code truncated}, not LOST: the
 * service processed them before they went.
 */
class DurabilityIT {
    @Test
    void acknowledgedCanariesGoneFromTheInputLogAreTruncatedNotLost() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        Scenario scenario = ScenarioLoader.parse(Path.of("durability.yaml"), """
                name: durability
                targets:
                  listener: {labels: {role: listener}}
                workload:
                  canary: {inputTopic: durable-orders, outputTopic: durable-orders.processed, rate: 50, preflightTimeout: 60s}
                steps:
                  - wait: 10s
                drain: 15s
                """);
        Path work = Files.createTempDirectory("faultline-it-durability");
        TopicPartition input = new TopicPartition("durable-orders", 0);
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics topics = Topics.defaults();
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    "durable-orders", 1, "durable-orders.processed", 1));
            try (DemoCluster cluster = DemoCluster.start(bootstrap, 2, DemoCluster.ListenerSettings.demo("exactly-once",
                    "durable-listeners", "durable-orders", "durable-orders.processed"), work, "durable-")) {
                cluster.awaitGroup(admin, "durable-listeners", 2, Duration.ofSeconds(90));
                long before = end(admin, input);
                // Once 100 canaries are in the input log, everything in it so far is deleted.
                CompletableFuture<Long> deleted = CompletableFuture.supplyAsync(() -> {
                    try {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                        long at;
                        while ((at = end(admin, input)) < before + 100) {
                            if (System.nanoTime() > deadline) {
                                throw new IllegalStateException("no canary traffic in 120 s");
                            }
                            Thread.sleep(50);
                        }
                        admin.deleteRecords(Map.of(input, RecordsToDelete.beforeOffset(at))).all().get();
                        return at;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30), Duration.ofSeconds(5),
                        Duration.ofSeconds(15), System.out, cluster.signer());
                Verdict v = SchemaCheck.conforming(new GameDay(options, Clock.systemUTC())
                        .run(scenario, GameDay.newRunId("durability", Clock.systemUTC())).verdict());
                System.out.println(Reports.summary(v));
                long cut = deleted.get(30, TimeUnit.SECONDS);

                CheckResult truncated = v.checks().stream().filter(c -> c.name().equals("truncated")).findFirst()
                        .orElseThrow();
                assertThat(v.status()).isEqualTo(Verdict.Status.FAILED);
                assertThat(truncated.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
                assertThat(truncated.summary()).contains("acknowledged in the input log");
                // Every canary acknowledged below the cut, named or folded.
                assertThat(v.canary().truncated()).isPositive().isLessThanOrEqualTo(cut - before)
                        .isGreaterThanOrEqualTo(100);
                assertThat(v.canary().lost()).as("the service had processed them: not its loss").isZero();
            }
        }
    }

    private static long end(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }
}

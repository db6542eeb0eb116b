package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Failover per partition on a real group ({@code scenarios/secondary-listener-crash.yaml}, then an
 * owner's crash): four exactly-once listeners share an input topic of
 * three partitions (three owners, one standby). Killing the standby stops no partition: "no
 * outage", and the failover check passes. Killing an owner stops its partition alone: the
 * verdict names that partition, and its bound contains the moment the group itself handed the
 * partition to another member, as seen by polling the group while the run goes.
 */
class PartitionFailoverIT {
    private static final String GROUP = "parts-listeners";
    private static final String IN = "parts-orders";
    private static final String OUT = "parts-orders.processed";
    private static final String SCENARIO = """
            name: NAME
            targets:
              listener:
                labels: {role: listener}
                pick: PICK
                group: parts-listeners
                topic: parts-orders
            workload:
              canary: {inputTopic: parts-orders, outputTopic: parts-orders.processed, rate: 150, partitions: 3}
            steps:
              - wait: 5s
              - name: kill
                inject:
                  target: listener
                  fault: {type: process.kill, signal: KILL}
                  lease: 30s
              - wait: 10s
              - heal: kill
            drain: 15s
            checks:
              failover: 20s
            """;

    @Test
    void killingAStandbyStopsNothingAndKillingAnOwnerStopsItsPartitionAlone() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        Path work = Files.createTempDirectory("faultline-parts");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics topics = Topics.defaults();
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    IN, 3, OUT, 3));
            try (DemoCluster cluster = DemoCluster.start(bootstrap, 4,
                    DemoCluster.ListenerSettings.demo("exactly-once", GROUP, IN, OUT), work, "parts-")) {
                cluster.awaitGroup(admin, GROUP, 4, Duration.ofSeconds(90));
                RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, cluster.signer());
                Clock clock = Clock.systemUTC();

                String library = Files.readString(Path.of("..", "scenarios", "secondary-listener-crash.yaml"))
                        .replace("order-listeners", GROUP).replace("orders.processed", "@OUT@")
                        .replaceAll("\\borders\\b", IN).replace("@OUT@", OUT);
                Verdict standby = SchemaCheck.conforming(new GameDay(options, clock).run(ScenarioLoader.parse(
                        Path.of("secondary-listener-crash.yaml"), library), GameDay.newRunId("kill-standby", clock)).verdict());
                System.out.println(Reports.summary(standby));
                FaultRecord.Failover none = standby.faults().get(0).failover();
                assertThat(none.outage()).as("a member that owns nothing stops nothing").isFalse();
                assertThat(none.partitions()).isEmpty();
                assertThat(check(standby, "failover[kill-standby]").passed()).isTrue();
                assertThat(check(standby, "failover[kill-standby]").summary()).contains("no outage");
                assertThat(check(standby, "throughput[kill-standby]").passed()).isTrue();
                assertThat(standby.status()).isEqualTo(Verdict.Status.PASSED);

                // The killed standby stays dead: wait for the three owners alone to be stable.
                DemoCluster.awaitGroup(admin, GROUP, 3, Duration.ofSeconds(60), List.of(), work);
                OwnerWatch watch = new OwnerWatch(admin);
                Thread poller = new Thread(watch, "owner-watch");
                poller.setDaemon(true);
                poller.start();
                Verdict owner;
                try {
                    owner = SchemaCheck.conforming(new GameDay(options, clock).run(scenario("kill-owner", "partition-owner"),
                            GameDay.newRunId("kill-owner", clock)).verdict());
                } finally {
                    watch.stop = true;
                    poller.join(5000);
                }
                System.out.println(Reports.summary(owner));
                FaultRecord fault = owner.faults().get(0);
                FaultRecord.Failover f = fault.failover();
                assertThat(f.outage()).isTrue();
                assertThat(f.recovered()).isTrue();
                assertThat(f.partitions()).as("only the killed owner's partition stopped").hasSize(1);
                int stopped = f.partitions().get(0).partition();
                String killedClient = fault.agentId().replace("agent", "listener");
                Instant handedOver = watch.handedOver(stopped, killedClient);
                assertThat(handedOver).as("the group moved partition %d away from %s", stopped, killedClient)
                        .isNotNull();
                long takeoverMs = Duration.between(fault.invokedAt(), handedOver).toMillis();
                System.out.printf("partition %d handed over %d ms after the kill; failover bound %d-%d ms%n", stopped,
                        takeoverMs, f.lowerMs(), f.upperMs());
                assertThat(f.upperMs()).as("the partition flows again only once it has a new owner")
                        .isGreaterThanOrEqualTo(takeoverMs - 250);
                assertThat(f.upperMs()).as("and soon after").isLessThanOrEqualTo(takeoverMs + 5000);
                assertThat(check(owner, "failover[kill]").summary()).contains("partition " + stopped);
                assertThat(owner.canary().lost()).isZero();
                assertThat(owner.canary().duplicated()).isZero();
            }
        }
    }

    private static Scenario scenario(String name, String pick) throws Exception {
        return ScenarioLoader.parse(Path.of(name + ".yaml"), SCENARIO.replace("NAME", name).replace("PICK", pick));
    }

    private static CheckResult check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    /** Polls the group every 50 ms and keeps, per partition, each owner (client id) it saw and since when. */
    private static final class OwnerWatch implements Runnable {
        private final Admin admin;
        private final Map<Integer, List<Map.Entry<String, Instant>>> owners = new ConcurrentHashMap<>();
        volatile boolean stop;

        OwnerWatch(Admin admin) {
            this.admin = admin;
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    var d = admin.describeConsumerGroups(List.of(GROUP)).all().get(5, TimeUnit.SECONDS).get(GROUP);
                    Instant now = Instant.now();
                    for (MemberDescription m : d.members()) {
                        for (TopicPartition tp : m.assignment().topicPartitions()) {
                            var seen = owners.computeIfAbsent(tp.partition(), p -> new CopyOnWriteArrayList<>());
                            if (seen.isEmpty() || !seen.get(seen.size() - 1).getKey().equals(m.clientId())) {
                                seen.add(Map.entry(m.clientId(), now));
                            }
                        }
                    }
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // Keep polling: a describe can fail while the group rebalances.
                }
            }
        }

        /** When {@code partition} was first seen owned by another member after {@code from}. */
        Instant handedOver(int partition, String from) {
            List<Map.Entry<String, Instant>> seen = owners.getOrDefault(partition, List.of());
            boolean wasFrom = false;
            for (Map.Entry<String, Instant> e : seen) {
                if (e.getKey().equals(from)) {
                    wasFrom = true;
                } else if (wasFrom) {
                    return e.getValue();
                }
            }
            return null;
        }
    }
}

package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.broker.EmbeddedCluster;
import io.faultline.cli.Faultline;
import io.faultline.cli.SchemaCheck;
import io.faultline.demo.BrokerAgents;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.RunOptions;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Kafka drills in {@code scenarios/}, run from their files on a real three-node KRaft cluster
 * set up by {@code faultline init}
 * with what {@code faultline broker --brokers 3 --agents} starts beside it (an agent beside each
 * node, one Kafka Admin agent) and three exactly-once order listeners. What the cluster did is
 * checked with the Admin API, not taken from Faultline: the leaders and replica order after a
 * leader move, the quorum leader a controller pick froze, the broker a leader pick killed.
 * The leader kill's node is started again for the controller freeze, which runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaDrillsIT {
    private static EmbeddedCluster kafka;
    private static BrokerAgents brokerAgents;
    private static DemoCluster listeners;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("faultline-kafka-drills");
        kafka = EmbeddedCluster.start(dir.resolve("kafka"), 3, 0);
        admin = KafkaClients.admin(kafka.bootstrapServers());
        // faultline init on three brokers: every topic replicated three times, two in sync required.
        StringWriter init = new StringWriter();
        var cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(init, true));
        assertThat(cl.execute("init", "-b", kafka.bootstrapServers())).isZero();
        System.out.print(init);
        assertThat(init.toString()).startsWith("3 brokers at ").contains("faultline.commands       created  1 "
                + "partition, replication 3", "min.insync.replicas=2");
        KafkaClients.ensureTopics(admin, Map.of("orders", 3, "orders.processed", 3));
        Path work = Files.createDirectories(dir.resolve("work"));
        listeners = DemoCluster.start(kafka.bootstrapServers(), 3, DemoCluster.ListenerSettings.demo("exactly-once",
                "order-listeners", "orders", "orders.processed"), work);
        Map<Integer, ProcessHandle> nodes = new LinkedHashMap<>();
        for (int i = 1; i <= kafka.size(); i++) {
            nodes.put(i, kafka.node(i));
        }
        brokerAgents = BrokerAgents.start(kafka.bootstrapServers(), nodes,
                work.resolve("keys").resolve(DemoCluster.KEY_ID + ".pub"), dir.resolve("broker-agents"));
        listeners.awaitGroup(admin, "order-listeners", 3, Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {brokerAgents, listeners, admin, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // Closing what is left.
            }
        }
    }

    private static Verdict run(String file) throws Exception {
        Scenario scenario = ScenarioLoader.load(Path.of("..", "scenarios", file));
        RunOptions options = new RunOptions(kafka.bootstrapServers(), Topics.defaults(), Duration.ofSeconds(90),
                Duration.ofSeconds(5), Duration.ofSeconds(20), System.out, listeners.signer());
        Verdict v = SchemaCheck.conforming(new GameDay(options, Clock.systemUTC())
                .run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
        System.out.println(Reports.summary(v));
        return v;
    }

    private static Map<Integer, TopicPartitionInfo> partitions(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Map<Integer, TopicPartitionInfo> out = new LinkedHashMap<>();
        d.partitions().forEach(p -> out.put(p.partition(), p));
        return out;
    }

    private static Map<Integer, String> layout(String topic) throws Exception {
        Map<Integer, String> out = new LinkedHashMap<>();
        partitions(topic).forEach((n, p) -> out.put(n, "leader " + p.leader().id() + " replicas "
                + p.replicas().stream().map(Node::id).toList()));
        return out;
    }

    @Test
    @Order(1)
    void aLeaderMoveDrillLosesNothingAndLeavesLeadersAndReplicaOrderAsTheyWere() throws Exception {
        Map<Integer, String> before = layout("orders");

        Verdict v = run("kafka-leader-move.yaml");

        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.faults()).singleElement().satisfies(f -> {
            assertThat(f.faultType()).isEqualTo("kafka.leader.move");
            assertThat(f.agentId()).isEqualTo("kafka-admin");
            assertThat(f.undoneAt()).isNotNull();
        });
        assertThat(layout("orders")).isEqualTo(before);
        // Every partition moved away at apply and back after heal.
        assertThat(v.faults().get(0).kafka().elections().stream().filter(e -> e.partition().startsWith("orders-")))
                .hasSize(6);
    }

    @Test
    @Order(2)
    void aGroupChurnDrillRebalancesTheListenersEveryFiveSecondsAndLosesNothing() throws Exception {
        Verdict v = run("kafka-group-churn.yaml");

        assertThat(v.faults()).singleElement().satisfies(f -> {
            assertThat(f.faultType()).isEqualTo("kafka.group.churn");
            assertThat(f.undoneAt()).isNotNull();
        });
        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.canary().duplicated()).isZero();
        assertThat(admin.describeConsumerGroups(List.of("order-listeners")).all().get().get("order-listeners")
                .members()).as("the probe left").hasSize(3);
    }

    @Test
    @Order(3)
    void aPartitionLeaderPickKillsTheBrokerLeadingTheMostCanaryPartitionsAndNothingIsLost() throws Exception {
        Map<Integer, Integer> led = new LinkedHashMap<>();
        partitions("orders").values().forEach(p -> led.merge(p.leader().id(), 1, Integer::sum));
        int busiest = led.entrySet().stream().max((a, b) -> a.getValue().equals(b.getValue())
                ? Integer.compare(b.getKey(), a.getKey()) : Integer.compare(a.getValue(), b.getValue()))
                .orElseThrow().getKey();

        Verdict v = run("broker-leader-crash.yaml");

        assertThat(v.faults()).singleElement().satisfies(f -> assertThat(f.agentId()).isEqualTo("broker-" + busiest));
        assertThat(kafka.node(busiest).isAlive()).as("broker " + busiest + " was killed").isFalse();
        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.canary().duplicated()).isZero();
        assertThat(partitions("orders").values()).allSatisfy(p -> assertThat(p.leader().id()).isNotEqualTo(busiest));
        // What the verdict says the cluster did, against what the cluster says now.
        FaultRecord.Kafka k = v.faults().get(0).kafka();
        Map<String, Integer> now = new LinkedHashMap<>();
        partitions("orders").forEach((n, p) -> now.put("orders-" + n, p.leader().id()));
        List<FaultRecord.Election> moved = k.elections().stream().filter(e -> e.partition().startsWith("orders-")
                && Integer.valueOf(busiest).equals(e.from())).toList();
        assertThat(moved).hasSize(led.get(busiest)).allSatisfy(e -> {
            assertThat(e.to()).isEqualTo(now.get(e.partition()));
            assertThat(e.tookMs()).isPositive();
        });
        assertThat(k.underReplicated()).as("the killed broker's replicas fell out of sync")
                .anySatisfy(u -> assertThat(u.until()).isNull());

        // Back for the next drill: the node on its own data, the agent beside it pointed at it.
        brokerAgents.repoint(busiest, kafka.restart(busiest));
        await().atMost(Duration.ofSeconds(120)).until(() -> partitions("orders").values().stream()
                .allMatch(p -> p.isr().size() == 3));
    }
    @Test
    @Order(4)
    void aControllerPickFreezesTheQuorumLeaderAnotherTakesOverAndTheRunHearsItsAgentsMeanwhile() throws Exception {
        int quorumLeader = admin.describeMetadataQuorum().quorumInfo().get().leaderId();

        // SIGSTOP: the frozen node's connections stay open and silent. The agent's reports that were
        // on their way to it are sent again elsewhere after Faultline's 10 s request timeout, within the
        // run's 20 s command timeout.
        Verdict v = run("controller-freeze.yaml");
        System.out.println("what the cluster did: " + Json.encodePretty(v.faults().get(0).kafka()));

        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.faults()).singleElement().satisfies(f -> {
            assertThat(f.agentId()).isEqualTo("broker-" + quorumLeader);
            assertThat(f.undoneAt()).as("the freeze was undone").isNotNull();
        });
        assertThat(kafka.node(quorumLeader).isAlive()).isTrue();
        assertThat(v.faults().get(0).kafka().controllers()).as("the quorum chose another leader while it was frozen")
                .anySatisfy(c -> {
                    assertThat(c.from()).isEqualTo(quorumLeader);
                    assertThat(c.to()).isNotEqualTo(quorumLeader);
                });
        await().atMost(Duration.ofSeconds(120)).until(() -> partitions("orders").values().stream()
                .allMatch(p -> p.isr().size() == 3));
    }

}

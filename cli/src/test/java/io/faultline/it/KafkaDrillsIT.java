package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.broker.EmbeddedCluster;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import java.util.UUID;
import java.util.ArrayList;
import java.time.Instant;
import io.faultline.protocol.Target;
import io.faultline.protocol.KafkaMinIsrFault;
import io.faultline.protocol.KafkaLeaderMoveFault;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ApplyCommand;
import io.faultline.engine.TelemetryFeed;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.Matcher;
import java.util.HashSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.NewTopic;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import io.faultline.testkit.TestCluster;
import io.faultline.protocol.CheckResult;
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
import java.time.ZoneId;
import java.time.LocalTime;
import java.time.LocalDate;
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
 * The leader kill's node is started again for the controller freeze. Last, an unclean election
 * takes acknowledged canaries back from the log, and the verdict counts them as Kafka counts them.
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
        return run(ScenarioLoader.load(Path.of("..", "scenarios", file)));
    }

    private static Verdict run(Scenario scenario) throws Exception {
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

    /**
     * When node {@code node} logged that it became {@code partition}'s leader, the first time after
     * {@code after}: its {@code kafka.cluster.Partition} line "Leader P with topic id ... starts at
     * leader epoch N", on this host's clock.
     */
    private static Instant becameLeader(int node, String partition, Instant after) throws Exception {
        Path log = kafka.directory().resolve("node-" + node).resolve("broker.log");
        ZoneId zone = ZoneId.systemDefault();
        LocalDate day = after.atZone(zone).toLocalDate();
        for (String line : Files.readAllLines(log)) {
            if (line.contains("Leader " + partition + " with topic id") && line.contains("starts at leader epoch")) {
                Instant at = LocalTime.parse(line.substring(0, 12)).atDate(day).atZone(zone).toInstant();
                if (at.isAfter(after)) {
                    return at;
                }
            }
        }
        throw new AssertionError("node " + node + " logged no leadership of " + partition + " after " + after);
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
    void aGroupChurnDrillRebalancesAClassicAndAKip848GroupAndLosesNothing() throws Exception {
        // Beside the classic listeners, a second group on the same orders, on KIP-848's protocol.
        KafkaClients.ensureTopics(admin, Map.of("orders.audited", 3));
        Path work = Files.createTempDirectory("faultline-it-auditors");
        try (DemoCluster auditors = DemoCluster.start(kafka.bootstrapServers(), 1, DemoCluster.ListenerSettings.demo(
                "at-least-once", "order-auditors", "orders", "orders.audited").groupProtocol("consumer"), work,
                "audit-")) {
            auditors.awaitGroup(admin, "order-auditors", 1, Duration.ofSeconds(90));
            // scenarios/kafka-group-churn.yaml, with a second churn step on the auditors' group.
            String text = Files.readString(Path.of("..", "scenarios", "kafka-group-churn.yaml")).replace("""
                      - wait: 30s
                      - heal: churn
                    """, """
                      - name: churn-auditors
                        inject:
                          target: admin
                          fault: {type: kafka.group.churn, group: order-auditors, topic: orders, every: 5s}
                          lease: 60s
                      - wait: 30s
                      - heal: churn
                      - heal: churn-auditors
                    """);
            assertThat(text).contains("churn-auditors");
            Verdict v = run(ScenarioLoader.parse(Path.of("kafka-group-churn.yaml"), text));

            assertThat(v.faults()).hasSize(2).allSatisfy(f -> {
                assertThat(f.faultType()).isEqualTo("kafka.group.churn");
                assertThat(f.undoneAt()).isNotNull();
            });
            assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
            assertThat(v.canary().lost()).isZero();
            assertThat(v.canary().duplicated()).isZero();
            assertThat(admin.describeConsumerGroups(List.of("order-listeners")).all().get().get("order-listeners")
                    .members()).as("the probe left").hasSize(3);
            // Every join and leave of each probe (every 5 s for 30 s) rebalanced its group, on the group's own
            // protocol, side by side in the same verdict (the second fault's window runs to the end).
            List<FaultRecord.Rebalance> all = v.faults().stream().flatMap(f -> f.kafka().rebalances().stream()).toList();
            System.out.println("rebalances: " + Json.encodePretty(all));
            List<FaultRecord.Rebalance> classic = all.stream().filter(r -> r.group().equals("order-listeners")).toList();
            List<FaultRecord.Rebalance> kip848 = all.stream().filter(r -> r.group().equals("order-auditors")).toList();
            assertThat(classic).hasSizeGreaterThanOrEqualTo(4).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo("classic");
                assertThat(r.until()).isNotNull();
            });
            assertThat(classic).anySatisfy(r -> assertThat(r.membersAfter()).isEqualTo(4));
            // Under KIP-848 the group reconciles while the probe waits for partitions the member must revoke
            // first: join and leave fall in one stretch, each one bumping the group epoch.
            assertThat(kip848).hasSizeGreaterThanOrEqualTo(3).allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo("consumer");
                assertThat(r.until()).isNotNull();
                assertThat(r.epochAfter()).isGreaterThan(r.epochBefore());
            });
            assertThat(v.checks()).anySatisfy(c -> assertThat(c.name()).isEqualTo("rebalance[churn]"));
        }
    }

    @Test
    @Order(3)
    void anAdminAgentKilledHoldingAMinIsrRaiseAndALeaderMoveGivesBothBackAtItsNextStart() throws Exception {
        Map<Integer, String> layoutBefore = layout("orders");
        String minIsrBefore = minIsr("orders");
        Topics topics = Topics.defaults();
        CommandSigner signer = listeners.signer();
        try (TelemetryFeed feed = new TelemetryFeed(kafka.bootstrapServers(), topics.telemetry(), Clock.systemUTC(),
                Duration.ofSeconds(1));
             KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka.bootstrapServers(),
                     "kafka-drills-it")) {
            List<ApplyCommand> held = new ArrayList<>();
            for (FaultSpec fault : List.<FaultSpec>of(new KafkaMinIsrFault("orders", 3),
                    new KafkaLeaderMoveFault("orders", null, null))) {
                Instant now = Instant.now();
                ApplyCommand c = new ApplyCommand("held-" + UUID.randomUUID().toString().substring(0, 8), "kafka-drills-it",
                        Target.agent("kafka-admin"), fault, now, now.plusSeconds(30), Duration.ofMinutes(10));
                producer.send(new ProducerRecord<>(topics.commands(), c.target().recordKey(), signer.seal(c)))
                        .get(10, TimeUnit.SECONDS);
                TelemetryFeed.Received<CommandEvent> applied = feed.awaitCommandEvent(c.commandId(),
                        Set.of(CommandEvent.Step.APPLIED, CommandEvent.Step.FAILED, CommandEvent.Step.REJECTED),
                        Duration.ofSeconds(60));
                assertThat(applied).as("answer to " + fault.type()).isNotNull();
                assertThat(applied.event().step()).as(applied.event().detail()).isEqualTo(CommandEvent.Step.APPLIED);
                held.add(c);
            }
            assertThat(minIsr("orders")).isEqualTo("3 (topic override)");
            assertThat(layout("orders")).isNotEqualTo(layoutBefore);

            brokerAgents.kill("kafka-admin");
            // Nobody undoes them while no agent runs.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> minIsr("orders").equals("3 (topic override)"));

            brokerAgents.restart("kafka-admin");
            for (ApplyCommand c : held) {
                TelemetryFeed.Received<CommandEvent> undone = feed.awaitCommandEvent(c.commandId(),
                        Set.of(CommandEvent.Step.UNDONE), Duration.ofSeconds(90));
                assertThat(undone).as("the restarted agent undid " + c.fault().type()).isNotNull();
                System.out.println(c.fault().type() + ": " + undone.event().detail());
                assertThat(undone.event().detail()).startsWith("restart: leftover");
            }
            // What the cluster says, not the agent: both exactly as they were.
            assertThat(minIsr("orders")).isEqualTo(minIsrBefore);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(layout("orders")).isEqualTo(layoutBefore));
        }
    }

    private static String minIsr(String topic) throws Exception {
        return TestCluster.minIsr(admin, topic);
    }

    @Test
    @Order(4)
    void aPartitionLeaderPickKillsTheBrokerLeadingTheMostCanaryPartitionsAndNothingIsLost() throws Exception {
        Map<Integer, Integer> led = new LinkedHashMap<>();
        partitions("orders").values().forEach(p -> led.merge(p.leader().id(), 1, Integer::sum));
        int busiest = led.entrySet().stream().max((a, b) -> a.getValue().equals(b.getValue())
                ? Integer.compare(b.getKey(), a.getKey()) : Integer.compare(a.getValue(), b.getValue()))
                .orElseThrow().getKey();

        // When the broker died, as the operating system tells this JVM (its parent): truth from outside Faultline.
        AtomicReference<Instant> died = new AtomicReference<>();
        kafka.node(busiest).onExit().thenRun(() -> died.compareAndSet(null, Instant.now()));
        Verdict v = run("broker-leader-crash.yaml");
        try {
            checkLeaderCrash(v, busiest, led.get(busiest), died.get());
        } finally {
            // Back for the next drill whatever this one found: the node on its own data, the agent beside it
            // pointed at it.
            if (!kafka.node(busiest).isAlive()) {
                brokerAgents.repoint(busiest, kafka.restart(busiest));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> partitions("orders").values().stream()
                    .allMatch(p -> p.isr().size() == 3));
        }
    }

    private static void checkLeaderCrash(Verdict v, int busiest, int led, Instant died) throws Exception {
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
        assertThat(moved).hasSize(led).allSatisfy(e -> {
            assertThat(e.to()).isEqualTo(now.get(e.partition()));
            assertThat(e.tookMs()).isPositive();
            // The new leader's own log says when it took over. The election is the controller's commit: other
            // brokers may answer with it some ms before the new leader logs its line, and the verdict sees it
            // at the next look (or after a silence of the cluster, its resolution).
            Instant said = becameLeader(e.to(), e.partition(), v.faults().get(0).invokedAt());
            System.out.println(e.partition() + ": broker " + e.to() + " logged its leadership at " + said
                    + ", the verdict saw it at " + e.at());
            assertThat(e.at()).isAfterOrEqualTo(said.minusMillis(1_000))
                    .isBeforeOrEqualTo(said.plusMillis(k.resolutionMs() + 1_000));
        });
        // The canary partitions' own logs: the last canary of the killed leader's epoch was acknowledged
        // before the broker died, the first of the new epoch after the new leader logged its
        // leadership, so the log's gap holds at least the time from the death to that line.
        FaultRecord fault = v.faults().get(0);
        assertThat(died).as("the broker's exit was seen").isNotNull();
        List<FaultRecord.Election> logged = moved.stream().filter(e -> e.writeGapMs() != null).toList();
        assertThat(logged).as("the read-back names the epochs of the elections it saw").isNotEmpty();
        for (FaultRecord.Election e : logged) {
            Instant said = becameLeader(e.to(), e.partition(), fault.invokedAt());
            long floor = Duration.between(died, said).toMillis();
            System.out.println(e.partition() + ": epoch " + e.fromEpoch() + " -> " + e.toEpoch() + ", no canary written"
                    + " for " + e.writeGapMs() + " ms; broker " + e.to() + " logged its leadership " + floor
                    + " ms after broker " + busiest + " died");
            assertThat(e.toEpoch()).isGreaterThan(e.fromEpoch());
            assertThat(e.writeGapMs()).isGreaterThanOrEqualTo(floor - 100);
        }
        assertThat(k.underReplicated()).as("the killed broker's replicas fell out of sync")
                .anySatisfy(u -> assertThat(u.until()).isNull());
    }

    @Test
    @Order(5)
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

    @Test
    @Order(6)
    void aMinIsrRaiseWithAFollowerDownFailsTheAcksAllCanaryAndTheVerdictNamesTheError() throws Exception {
        // A partition on two nodes (neither the quorum leader, so the metadata quorum is not what stalls).
        int quorumLeader = admin.describeMetadataQuorum().quorumInfo().get().leaderId();
        List<Integer> others = List.of(1, 2, 3).stream().filter(n -> n != quorumLeader).toList();
        int leader = others.get(0);
        int follower = others.get(1);
        admin.createTopics(List.of(new NewTopic("narrow", Map.of(0, List.of(leader, follower)))
                        .configs(Map.of("min.insync.replicas", "1")),
                new NewTopic("narrow.processed", 1, (short) 3))).all().get();
        TestCluster.awaitLeaders(admin, List.of("narrow", "narrow.processed"));
        // min.insync.replicas raised to both replicas, then the follower frozen until it is fenced out of
        // the ISR: acks=all writes fail with NOT_ENOUGH_REPLICAS, and a canary gives up after 3 s.
        Scenario scenario = ScenarioLoader.parse(Path.of("narrow.yaml"), """
                name: min-isr-no-slack
                targets:
                  admin: {labels: {role: kafka-admin}}
                  follower: {labels: {role: broker}, pick: broker, broker: FOLLOWER}
                workload:
                  canary: {inputTopic: narrow, outputTopic: narrow.processed, rate: 50, preflightTimeout: 60s,
                           deliveryTimeout: 3s}
                steps:
                  - wait: 2s
                  - name: strict-isr
                    inject:
                      target: admin
                      fault: {type: kafka.min-isr, topic: narrow, minInsyncReplicas: 2}
                      lease: 60s
                  - name: freeze-follower
                    inject:
                      target: follower
                      fault: {type: process.kill, signal: STOP}
                      lease: 60s
                  - wait: 20s
                  - heal: freeze-follower
                  - heal: strict-isr
                drain: 10s
                checks:
                  lost: 0
                """.replace("FOLLOWER", Integer.toString(follower)));
        Path work = Files.createTempDirectory("faultline-it-narrow");
        try (DemoCluster narrow = DemoCluster.start(kafka.bootstrapServers(), 1, DemoCluster.ListenerSettings.demo(
                "exactly-once", "narrow-listeners", "narrow", "narrow.processed"), work, "narrow-")) {
            narrow.awaitGroup(admin, "narrow-listeners", 1, Duration.ofSeconds(90));
            Verdict v = run(scenario);
            // The verdict's account of the failed sends: retried while the partition had too few replicas
            // in sync (what the client retried, from its own log), then given up at the delivery timeout.
            assertThat(v.canary().sendRetries()).as("the canary's acks=all requests retried, by the error")
                    .containsKey("NOT_ENOUGH_REPLICAS");
            assertThat(v.canary().sendErrors()).as("and failed for good at the delivery timeout")
                    .containsKey("REQUEST_TIMED_OUT");
            assertThat(v.canary().acknowledged()).isLessThan(v.canary().sent());
            assertThat(v.canary().lost()).as("a send that failed was never acknowledged: not lost").isZero();
            assertThat(Reports.summary(v)).contains("Canary sends that failed:", "Canary produce requests retried:",
                    "NOT_ENOUGH_REPLICAS");
            // Undone, as the cluster itself says.
            assertThat(TestCluster.minIsr(admin, "narrow")).isEqualTo("1 (topic override)");
        } finally {
            signal("CONT", kafka.node(follower));
            await().atMost(Duration.ofSeconds(120)).until(() -> partitions("narrow").get(0).isr().size() == 2);
        }
    }

    @Test
    @Order(7)
    void anUncleanElectionTruncatesAcknowledgedCanariesAndTheVerdictSaysTruncatedNotLost() throws Exception {
        // Leader and follower of a partition that allows unclean elections; the third node keeps the quorum.
        int leader = 1;
        int follower = 2;
        TopicPartition input = new TopicPartition("fragile", 0);
        admin.createTopics(List.of(new NewTopic("fragile", Map.of(0, List.of(leader, follower)))
                        .configs(Map.of("unclean.leader.election.enable", "true", "min.insync.replicas", "1")),
                new NewTopic("fragile.processed", 1, (short) 3))).all().get();
        TestCluster.awaitLeaders(admin, List.of("fragile", "fragile.processed"));
        Scenario scenario = ScenarioLoader.parse(Path.of("unclean.yaml"), """
                name: unclean-election
                targets:
                  listener: {labels: {client-id: fragile-listener-1}}
                workload:
                  canary: {inputTopic: fragile, outputTopic: fragile.processed, rate: 50, preflightTimeout: 60s}
                steps:
                  - wait: 45s
                drain: 10s
                """);
        Path work = Files.createTempDirectory("faultline-it-unclean");
        try (DemoCluster fragile = DemoCluster.start(kafka.bootstrapServers(), 1, DemoCluster.ListenerSettings.demo(
                "exactly-once", "fragile-listeners", "fragile", "fragile.processed"), work, "fragile-")) {
            fragile.awaitGroup(admin, "fragile-listeners", 1, Duration.ofSeconds(90));
            long before = end(input);
            CompletableFuture<long[]> truncation = CompletableFuture.supplyAsync(() -> {
                try {
                    return truncate(input, before, leader, follower);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            RunOptions options = new RunOptions(kafka.bootstrapServers(), Topics.defaults(), Duration.ofSeconds(90),
                    Duration.ofSeconds(5), Duration.ofSeconds(20), System.out, fragile.signer());
            Verdict v = SchemaCheck.conforming(new GameDay(options, Clock.systemUTC())
                    .run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
            System.out.println(Reports.summary(v));
            long[] cut = truncation.get(60, TimeUnit.SECONDS);
            System.out.println("input end offsets: follower stopped at " + cut[0] + ", out of the ISR at " + cut[1]
                    + ", leader killed at " + cut[2]);

            CheckResult truncated = v.checks().stream().filter(c -> c.name().equals("truncated")).findFirst()
                    .orElseThrow();
            assertThat(v.status()).isEqualTo(Verdict.Status.FAILED);
            assertThat(truncated.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
            assertThat(truncated.summary()).contains("acknowledged in the input log");
            // The truth from the log itself, read by a plain consumer: every canary the run sent was acknowledged,
            // in order, so each sequence number missing below the highest one there is a canary Kafka took back.
            assertThat(v.canary().acknowledged()).isEqualTo(v.canary().sent());
            Set<Long> gone = missingSeqs(input, v.runId());
            System.out.println(gone.size() + " canaries missing from " + input + " (read by a plain consumer)");
            assertThat(gone).hasSizeGreaterThanOrEqualTo(100);
            assertThat(v.canary().truncated()).isEqualTo(gone.size());
            assertThat(truncated.offenders()).allSatisfy(id -> assertThat(gone).contains(seq(id)));
            // Kafka's loss, not the service's: none of them is also lost or unseen.
            for (String check : List.of("lost", "unseen")) {
                assertThat(v.checks().stream().filter(c -> c.name().equals(check)).flatMap(c -> c.offenders().stream())
                        .map(KafkaDrillsIT::seq)).as(check).doesNotContainAnyElementsOf(gone);
            }
        } finally {
            // The last drill: the killed node stays down, the cluster is closed after it.
            signal("CONT", kafka.node(follower));
        }
    }

    /**
     * The truncation, from outside Faultline: once canaries flow, the follower is frozen (SIGSTOP)
     * until it is fenced out of the ISR; the leader alone acknowledges at least 100 more; then the
     * leader is SIGKILLed, the follower resumed and elected uncleanly, with the log it had. Returns
     * the input's end offset when the follower stopped, when it left the ISR and just before the leader
     * died.
     */
    private static long[] truncate(TopicPartition input, long before, int leader, int follower) throws Exception {
        // Admin calls may go to the frozen node and time out: each wait tries again.
        await("canaries in the input").atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> end(input) >= before + 100);
        long stoppedAt = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> end(input), o -> true);
        signal("STOP", kafka.node(follower));
        await("the follower out of the ISR").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                partitions("fragile").get(0).isr().stream().map(Node::id).toList().equals(List.of(leader)));
        long shrunkAt = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> end(input), o -> true);
        long killedAt = await("acknowledged by the leader alone").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> end(input), o -> o >= shrunkAt + 100);
        try {
            kafka.node(leader).destroyForcibly();
        } finally {
            // At once: with one node dead and one frozen, the metadata quorum has no majority.
            signal("CONT", kafka.node(follower));
        }
        // What an operator does when the only in-sync replica is gone: elect another, uncleanly.
        await("the follower elected uncleanly").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            Node now = partitions("fragile").get(0).leader();
            if (now != null && now.id() == follower) {
                return true;
            }
            admin.electLeaders(ElectionType.UNCLEAN, Set.of(input)).all().get();
            return false;
        });
        return new long[] {stoppedAt, shrunkAt, killedAt};
    }

    /** Sequence numbers of the run's canaries absent from {@code tp} below the highest one present. */
    private static Set<Long> missingSeqs(TopicPartition tp, String runId) {
        Pattern id = Pattern.compile("\"id\":\"" + Pattern.quote(runId)
                + ":(\\d+)\"");
        Set<Long> present = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    Matcher m = id.matcher(new String(r.value(), StandardCharsets.UTF_8));
                    if (m.find()) {
                        present.add(Long.parseLong(m.group(1)));
                    }
                }
            }
        }
        long max = present.stream().mapToLong(Long::longValue).max().orElse(-1);
        Set<Long> missing = new HashSet<>();
        for (long s = 0; s < max; s++) {
            if (!present.contains(s)) {
                missing.add(s);
            }
        }
        return missing;
    }

    private static long seq(String canaryId) {
        return Long.parseLong(canaryId.substring(canaryId.lastIndexOf(':') + 1));
    }

    private static long end(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }

    private static void signal(String name, ProcessHandle p) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }
}

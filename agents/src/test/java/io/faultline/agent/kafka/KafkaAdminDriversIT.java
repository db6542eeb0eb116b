package io.faultline.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.protocol.KafkaLeaderMoveFault;
import io.faultline.protocol.KafkaMinIsrFault;
import io.faultline.protocol.KafkaQuotaFault;
import io.faultline.testkit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

/**
 * The Kafka Admin role's drivers on a real three-node KRaft cluster: each fault's effect and its
 * undo are checked with the Admin API's own descriptions, and a driver built afresh on the same
 * state directory (an agent killed mid-fault and started again) restores from the record alone.
 * The min-ISR test stops a follower broker, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaAdminDriversIT {
    private static TestCluster cluster;
    private static Admin admin;
    private static Path root;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("faultline-kafka-admin");
        cluster = TestCluster.start(root.resolve("kafka"), 3);
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 3))).all().get(30, TimeUnit.SECONDS);
        TestCluster.awaitLeaders(admin, List.of(name));
    }

    private static Map<Integer, TopicPartitionInfo> partitions(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Map<Integer, TopicPartitionInfo> out = new LinkedHashMap<>();
        d.partitions().forEach(p -> out.put(p.partition(), p));
        return out;
    }

    private static Map<Integer, List<Integer>> replicaOrders(String topic) throws Exception {
        Map<Integer, List<Integer>> out = new LinkedHashMap<>();
        partitions(topic).forEach((n, p) -> out.put(n, p.replicas().stream().map(Node::id).toList()));
        return out;
    }

    private static Map<Integer, Integer> leaders(String topic) throws Exception {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        partitions(topic).forEach((n, p) -> out.put(n, p.leader().id()));
        return out;
    }

    private static Path stateDir(String name) throws Exception {
        return Files.createDirectories(root.resolve(name));
    }

    @Test
    void aLeaderMoveMovesEveryNamedLeaderAndUndoRestoresLeadersAndReplicaOrderExactly() throws Exception {
        createTopic("lm-orders", 3);
        Map<Integer, List<Integer>> orders = replicaOrders("lm-orders");
        Map<Integer, Integer> leaders = leaders("lm-orders");
        LeaderMoveDriver driver = new LeaderMoveDriver(admin, stateDir("lm-1"));

        FaultDriver.Applied applied = driver.apply("c-lm-1", new KafkaLeaderMoveFault("lm-orders", List.of(0, 2), null));

        System.out.println(applied.detail());
        Map<Integer, Integer> moved = leaders("lm-orders");
        assertThat(moved.get(0)).isNotEqualTo(leaders.get(0));
        assertThat(moved.get(2)).isNotEqualTo(leaders.get(2));
        assertThat(moved.get(1)).as("partition 1 was not named").isEqualTo(leaders.get(1));
        assertThat(replicaOrders("lm-orders").get(0).get(0)).as("the new leader goes first").isEqualTo(moved.get(0));
        assertThat(applied.detail()).contains("lm-orders-0 " + leaders.get(0) + " -> " + moved.get(0));

        System.out.println(applied.undo());
        assertThat(leaders("lm-orders")).isEqualTo(leaders);
        assertThat(replicaOrders("lm-orders")).isEqualTo(orders);
        assertThat(stateDir("lm-1").resolve("kafka-undo/leader-move")).isEmptyDirectory();
    }

    @Test
    void aLeaderMoveToANamedBrokerAndItsRecoveryByAFreshDriverOnTheSameStateDirectory() throws Exception {
        createTopic("lm-payments", 1);
        Map<Integer, List<Integer>> orders = replicaOrders("lm-payments");
        int leader = leaders("lm-payments").get(0);
        int to = orders.get(0).stream().filter(r -> r != leader).findFirst().orElseThrow();
        Path state = stateDir("lm-2");
        new LeaderMoveDriver(admin, state).apply("c-lm-2", new KafkaLeaderMoveFault("lm-payments", null, to));
        assertThat(leaders("lm-payments").get(0)).isEqualTo(to);

        // The agent died holding it: a new one knows only the command and what the state directory holds.
        String done = new LeaderMoveDriver(admin, state).recover("c-lm-2",
                new KafkaLeaderMoveFault("lm-payments", null, to));

        System.out.println(done);
        assertThat(leaders("lm-payments").get(0)).isEqualTo(leader);
        assertThat(replicaOrders("lm-payments")).isEqualTo(orders);
        assertThat(new LeaderMoveDriver(admin, state).recover("c-lm-2", new KafkaLeaderMoveFault("lm-payments", null,
                to))).as("a second recovery finds nothing").contains("nothing to restore");
    }

    @Test
    void aLeaderMoveNamingWhatIsNotThereIsRefusedInWordsAndChangesNothing() throws Exception {
        createTopic("lm-refused", 1);
        Map<Integer, List<Integer>> orders = replicaOrders("lm-refused");
        LeaderMoveDriver driver = new LeaderMoveDriver(admin, stateDir("lm-3"));
        assertThatThrownBy(() -> driver.apply("c-lm-3", new KafkaLeaderMoveFault("no-such-topic", null, null)))
                .isInstanceOf(FaultException.class).hasMessageContaining("no-such-topic")
                .hasMessageContaining("no such topic");
        assertThatThrownBy(() -> driver.apply("c-lm-4", new KafkaLeaderMoveFault("lm-refused", List.of(7), null)))
                .isInstanceOf(FaultException.class).hasMessage("topic lm-refused has no partition 7 (it has 1)");
        assertThatThrownBy(() -> driver.apply("c-lm-5", new KafkaLeaderMoveFault("lm-refused", null, 9)))
                .isInstanceOf(FaultException.class).hasMessageContaining("broker 9 holds no replica of lm-refused-0");
        assertThat(replicaOrders("lm-refused")).isEqualTo(orders);
        assertThat(driver.sweep()).as("nothing recorded, nothing to sweep").isNull();
    }

    @Test
    void aQuotaIsSetAndUndoGivesBackThePreviousValueAndRemovesWhatWasNotThere() throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "orders-producer"));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 5_000_000.0))))).all().get();
        // The quota the fault finds must be the one set: seen by the brokers, not only by the controller.
        await().atMost(Duration.ofSeconds(30)).until(() -> quotas(entity).containsKey("producer_byte_rate"));
        QuotaDriver driver = new QuotaDriver(admin, stateDir("q-1"));

        FaultDriver.Applied applied = driver.apply("c-q-1", new KafkaQuotaFault("orders-producer", null, 1024L,
                2048L, null));

        System.out.println(applied.detail());
        assertThat(quotas(entity)).containsExactlyInAnyOrderEntriesOf(Map.of("producer_byte_rate", 1024.0,
                "consumer_byte_rate", 2048.0));
        System.out.println(applied.undo());
        assertThat(quotas(entity)).containsExactlyInAnyOrderEntriesOf(Map.of("producer_byte_rate", 5_000_000.0));
    }

    @Test
    void aQuotaLeftByAKilledAgentIsRestoredBySafeModesSweepWithoutItsCommand() throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice"));
        Path state = stateDir("q-2");
        new QuotaDriver(admin, state).apply("c-q-2", new KafkaQuotaFault(null, "alice", null, null, 5.0));
        assertThat(quotas(entity)).containsEntry("request_percentage", 5.0);

        String swept = new QuotaDriver(admin, state).sweep();

        System.out.println(swept);
        assertThat(swept).startsWith("c-q-2: quotas of user 'alice' back to request_percentage unset");
        assertThat(quotas(entity)).isEmpty();
    }

    private static Map<String, Double> quotas(ClientQuotaEntity entity) throws Exception {
        return admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get().getOrDefault(entity, Map.of());
    }

    @Test
    @Order(100)
    void aMinIsrAtTheReplicationFactorFailsAcksAllWritesOnceAFollowerStopsAndUndoPutsBackTheOverride()
            throws Exception {
        createTopic("isr-orders", 1);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "isr-orders");
        MinIsrDriver driver = new MinIsrDriver(admin, stateDir("isr-1"));
        String before = minIsr(topic).value();
        assertThatThrownBy(() -> driver.apply("c-isr-0", new KafkaMinIsrFault("isr-orders", 4)))
                .hasMessageContaining("would change nothing: brokers cap it at the replication factor, 3");

        // Connected before a broker stops: the test's own writes must not wait on the stopped one.
        KafkaProducer<String, String> producer = producer();
        assertThat(send(producer, "isr-orders")).isNull();
        FaultDriver.Applied applied = driver.apply("c-isr-1", new KafkaMinIsrFault("isr-orders", 3));

        System.out.println(applied.detail());
        assertThat(minIsr(topic).value()).isEqualTo("3");
        assertThat(send(producer, "isr-orders")).as("all three replicas in sync: writes still go through").isNull();
        TopicPartitionInfo p = partitions("isr-orders").get(0);
        int follower = p.replicas().stream().map(Node::id).filter(id -> id != p.leader().id()).findFirst().orElseThrow();
        signal("STOP", cluster.node(follower).pid());
        try {
            // Fenced once its heartbeats to the quorum stop: out of the ISR, and acks=all writes fail.
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(send(producer, "isr-orders")).isInstanceOf(NotEnoughReplicasException.class));
        } finally {
            signal("CONT", cluster.node(follower).pid());
        }
        System.out.println(applied.undo());
        assertThat(minIsr(topic).value()).isEqualTo(before);
        assertThat(minIsr(topic).source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(send(producer, "isr-orders")).as("writes go through again").isNull());

        // With an override of its own, undo sets that back rather than deleting it.
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry(
                KafkaMinIsrFault.CONFIG, "1"), AlterConfigOp.OpType.SET)))).all().get();
        await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(minIsr(topic).value()));
        driver.apply("c-isr-2", new KafkaMinIsrFault("isr-orders", 3)).undo();
        assertThat(minIsr(topic).value()).isEqualTo("1");
        assertThat(minIsr(topic).source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        producer.close();
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor())
                .isZero();
    }

    private static ConfigEntry minIsr(ConfigResource topic) throws Exception {
        return admin.describeConfigs(List.of(topic)).all().get().get(topic).get(KafkaMinIsrFault.CONFIG);
    }

    /** An acks=all producer that gives up on a record after 3 s. */
    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // Not idempotent: after a timed-out batch an idempotent producer asks any broker for a new
        // producer id, and that broker may be the stopped one.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        // NOT_ENOUGH_REPLICAS is retriable: without this the producer retries it until the batch
        // expires, and reports only a timeout.
        p.put(ProducerConfig.RETRIES_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** What an acks=all write to {@code topic} fails with; null when it succeeds. */
    private static Throwable send(KafkaProducer<String, String> producer, String topic) {
        try {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }
}

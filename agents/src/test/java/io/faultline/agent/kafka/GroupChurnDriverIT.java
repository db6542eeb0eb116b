package io.faultline.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KafkaGroupChurnFault;
import io.faultline.testkit.TestKafka;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kafka.group.churn} on a real broker, for a classic group and a KIP-848 group: the
 * group's own member sees its partitions revoked and given back while the probe joins and
 * leaves, and after undo the group is its one member again.
 */
class GroupChurnDriverIT {
    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void aProbeMemberForcesRebalancesWithTheGroupsOwnProtocolAndLeavesOnUndo(String protocol) throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        String topic = "churn-" + protocol;
        String group = "churn-group-" + protocol;
        TestKafka.createTopics(Map.of(topic, 2));
        AtomicInteger assigned = new AtomicInteger();
        CountDownLatch stop = new CountDownLatch(1);
        Thread member = new Thread(() -> consume(bootstrap, group, topic, protocol, assigned, stop), "member");
        member.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, (Object) bootstrap))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> assigned.get() >= 1);
            GroupChurnDriver driver = new GroupChurnDriver(admin, KafkaConnection.of(bootstrap), "it-agent");
            assertThatThrownBy(() -> driver.apply("c-none", new KafkaGroupChurnFault("no-such-group", topic, null)))
                    .hasMessage("describing group no-such-group: no such consumer group");

            int before = assigned.get();
            FaultDriver.Applied applied = driver.apply("c-churn-" + protocol,
                    new KafkaGroupChurnFault(group, topic, Duration.ofSeconds(1)));

            System.out.println(applied.detail());
            assertThat(applied.detail()).contains("(" + protocol + " protocol, 1 members)");
            // The group's own member is given its partitions again at every join and leave of the probe.
            await().atMost(Duration.ofSeconds(90)).until(() -> assigned.get() >= before + 2);
            System.out.println(applied.undo());
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).members().size() == 1);
        } finally {
            stop.countDown();
            member.join(30_000);
        }
    }

    /** The group's own member: counts each assignment it is given. */
    private static void consume(String bootstrap, String group, String topic, String protocol, AtomicInteger assigned,
                                CountDownLatch stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        assigned.incrementAndGet();
                    }
                }
            });
            while (stop.getCount() > 0) {
                c.poll(Duration.ofMillis(100));
            }
        }
    }
}

package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.testkit.TestKafka;
import io.faultline.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** A target that names a consumer group the cluster does not have: the error says which groups it has. */
class GroupOwnersIT {
    @Test
    void anUnknownGroupIsReportedWithTheGroupsThereAre() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        TestKafka.createTopics(Map.of("owners-orders", 1));
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "order-listeners-real");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (Admin admin = KafkaClients.admin(bootstrap); KafkaConsumer<String, String> real = new KafkaConsumer<>(p)) {
            real.subscribe(List.of("owners-orders"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (real.assignment().isEmpty() && System.nanoTime() < deadline) {
                real.poll(Duration.ofMillis(100));
            }
            assertThatThrownBy(() -> GroupOwners.members(admin, "order-listners", "owners-orders", Duration.ofSeconds(1),
                    Scheduler.system("test", Clock.systemUTC())))
                    .isInstanceOf(InfrastructureException.class)
                    .hasMessageStartingWith("cannot find the members of group order-listners owning owners-orders: "
                            + "Group order-listners not found; consumer groups there are: ")
                    .hasMessageContaining("order-listeners-real");
        }
    }
}

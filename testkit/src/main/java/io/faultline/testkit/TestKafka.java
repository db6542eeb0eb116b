package io.faultline.testkit;

import io.faultline.broker.EmbeddedKafka;
import io.faultline.engine.KafkaClients;
import java.nio.file.Files;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** One real KRaft broker per test JVM, started on first use and stopped when the JVM exits. */
public final class TestKafka {
    private static EmbeddedKafka kafka;

    private TestKafka() {
    }

    public static synchronized String bootstrapServers() throws Exception {
        if (kafka == null) {
            kafka = EmbeddedKafka.start(Files.createTempDirectory("faultline-it-kafka-"));
        }
        return kafka.bootstrapServers();
    }

    /** Creates these topics (name to partition count) if they do not exist. */
    public static void createTopics(Map<String, Integer> topics) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrapServers())) {
            KafkaClients.ensureTopics(admin, topics);
        }
    }
}

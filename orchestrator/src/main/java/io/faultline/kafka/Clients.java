package io.faultline.kafka;

import io.faultline.protocol.KafkaConnection;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one place the orchestrator's side turns a {@link KafkaConnection} (bootstrap servers and
 * {@code --command-config}) into client settings: every producer, consumer and admin client it
 * makes comes from here, with string keys and byte values, and the settings a role adds on top.
 */
public final class Clients {
    /** The most a reader of the audit and verdict topics fetches per partition at once. */
    public static final int READER_FETCH_BYTES = 4 * 1024 * 1024;

    private Clients() {
    }

    /** A producer: acks=all, no lingering, then {@code extra}. */
    public static KafkaProducer<String, byte[]> producer(KafkaConnection kafka, String clientId,
                                                         Map<String, String> extra) {
        Properties p = kafka.client(clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putAll(extra);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** A producer: acks=all, no lingering. */
    public static KafkaProducer<String, byte[]> producer(KafkaConnection kafka, String clientId) {
        return producer(kafka, clientId, Map.of());
    }

    /** A consumer without a group's commits (it is assigned its partitions), then {@code extra}. */
    public static KafkaConsumer<String, byte[]> consumer(KafkaConnection kafka, String clientId,
                                                         Map<String, String> extra) {
        Properties p = kafka.client(clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(extra);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** A consumer without a group's commits. */
    public static KafkaConsumer<String, byte[]> consumer(KafkaConnection kafka, String clientId) {
        return consumer(kafka, clientId, Map.of());
    }

    /** A consumer that reads a topic through ({@link TopicReader}): large fetches, no commits. */
    public static KafkaConsumer<String, byte[]> reader(KafkaConnection kafka, String clientId) {
        return consumer(kafka, clientId, Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(READER_FETCH_BYTES)));
    }

    /**
     * An admin client for watching the cluster every fraction of a second: each request waits at
     * most 1.5 s for its broker, so a frozen broker is given up on at once and the call is tried on
     * another, and a call gives up after 4 s.
     */
    public static Admin watchAdmin(KafkaConnection kafka) {
        Properties p = kafka.client("faultline-orchestrator-watch");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "1500");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        return Admin.create(p);
    }

    /** An admin client whose calls give up after 15 s. */
    public static Admin admin(KafkaConnection kafka) {
        Properties p = kafka.client("faultline-orchestrator-admin");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }
}

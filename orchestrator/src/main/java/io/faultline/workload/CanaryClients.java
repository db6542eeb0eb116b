package io.faultline.workload;

import io.faultline.kafka.Clients;
import io.faultline.protocol.KafkaConnection;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The canary's real Kafka clients: its producer of the input topic and its observer of the output. */
public final class CanaryClients {
    /** The canary producer's {@code client.id}: what a quota drill names, and what its retries are counted under. */
    public static final String PRODUCER_CLIENT_ID = "faultline-canary-producer";

    private CanaryClients() {
    }

    /**
     * The canary's producer on {@code kafka}: idempotent, acks=all, no lingering, each send given up
     * after {@code deliveryTimeout} (one request after at most 30 s, and never longer than that).
     */
    public static Producer<String, byte[]> producer(KafkaConnection kafka, Duration deliveryTimeout) {
        long delivery = deliveryTimeout.toMillis();
        return Clients.producer(kafka, PRODUCER_CLIENT_ID, Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(30_000, delivery)),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(delivery)));
    }

    /** The canary's observer on {@code kafka}: reads committed results only. */
    public static Consumer<String, byte[]> observer(KafkaConnection kafka) {
        return Clients.consumer(kafka, "faultline-canary-observer",
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    }
}

package io.faultline.examples;

import io.faultline.protocol.CircuitEvent;
import io.faultline.protocol.Json;
import io.faultline.protocol.TelemetrySigner;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the listener's circuit-breaker state changes on Faultline's telemetry topic, signed
 * with the listener's telemetry key when it has one (a run with agent keys believes no other).
 */
final class CircuitReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CircuitReporter.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String instance;
    private final TelemetrySigner signer;

    /** @param signer signs each event; null: sent unsigned */
    CircuitReporter(String bootstrapServers, Map<String, String> clientSettings, String topic, String instance,
                    TelemetrySigner signer) {
        Properties p = new Properties();
        p.putAll(clientSettings);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, instance + "-telemetry");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.instance = instance;
        this.signer = signer;
    }

    void report(CircuitBreaker.State from, CircuitBreaker.State to) {
        CircuitEvent event = new CircuitEvent(null, instance, Instant.now(), "redis",
                CircuitEvent.State.valueOf(from.name()), CircuitEvent.State.valueOf(to.name()));
        byte[] value = Json.encode(event);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.recordKey(), value);
        if (signer != null) {
            signer.headers(value).forEach((name, bytes) -> record.headers().add(name, bytes));
        }
        producer.send(record, (md, e) -> {
            if (e != null) {
                log.warn("circuit event not delivered: {}", e.toString());
            }
        });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}

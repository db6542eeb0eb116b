package io.faultline.agent;

import io.faultline.protocol.Json;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySignature;
import io.faultline.protocol.TelemetrySigner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the agent's telemetry from a thread of its own. A send may wait for metadata (broker gone,
 * or busy), and nothing that undoes a fault may wait for that: events queue meanwhile, up to
 * {@link #CAPACITY}, and go out in order. Each record is signed with the agent's key
 * ({@link TelemetrySignature}'s headers), so the orchestrator can tell it from one forged by
 * another writer of the topic.
 */
final class TelemetryOutbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelemetryOutbox.class);
    static final int CAPACITY = 10_000;
    /** Queued after the last event by {@link #close}. */
    private static final Optional<TelemetryEvent> STOP = Optional.empty();

    private final String topic;
    private final Producer<String, byte[]> producer;
    private final BlockingQueue<Optional<TelemetryEvent>> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final Thread sender = new Thread(this::sendAll, "agent-telemetry");
    private final TelemetrySigner signer;

    /** @param signer signs every record; null: records go out unsigned */
    TelemetryOutbox(String topic, Producer<String, byte[]> producer, TelemetrySigner signer) {
        this.topic = topic;
        this.producer = producer;
        this.signer = signer;
        sender.setDaemon(true);
    }

    void start() {
        sender.start();
    }

    /**
     * Queues the event; never blocks. It is encoded and signed on the outbox's thread, so that a
     * command's path (its {@code received}, on the poll thread) does not wait for either.
     */
    void offer(TelemetryEvent event) {
        if (!queue.offer(Optional.of(event))) {
            log.warn("telemetry outbox full ({} events): dropped {}", CAPACITY, event.getClass().getSimpleName());
        }
    }

    /** Bytes the producer received and sent, for the agent's metrics. */
    double bytes(String metric) {
        return KafkaMetrics.total(producer.metrics(), metric);
    }

    private void sendAll() {
        try {
            while (true) {
                Optional<TelemetryEvent> next = queue.take();
                if (next.isEmpty()) {
                    return;
                }
                try {
                    producer.send(record(next.get()), (md, e) -> {
                        if (e != null) {
                            log.warn("telemetry not delivered: {}", e.toString());
                        }
                    });
                } catch (RuntimeException e) {
                    log.warn("telemetry not sent: {}", e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ProducerRecord<String, byte[]> record(TelemetryEvent event) {
        byte[] value = Json.encode(event);
        RecordHeaders headers = new RecordHeaders();
        if (signer != null) {
            signer.headers(value).forEach(headers::add);
        }
        return new ProducerRecord<>(topic, null, event.recordKey(), value, headers);
    }

    /** Sends what is queued (waiting up to 5 s for the sender), then closes the producer. */
    @Override
    public void close() {
        queue.offer(STOP);
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.flush();
        producer.close(Duration.ofSeconds(5));
    }
}

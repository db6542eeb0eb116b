package io.faultline.agent;

import io.faultline.protocol.Json;
import io.faultline.protocol.TelemetryEvent;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the agent's telemetry from a thread of its own. A send may wait for metadata (broker gone,
 * or busy), and nothing that undoes a fault may wait for that: events queue meanwhile, up to
 * {@link #CAPACITY}, and go out in order.
 */
final class TelemetryOutbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelemetryOutbox.class);
    static final int CAPACITY = 10_000;
    private static final ProducerRecord<String, byte[]> STOP = new ProducerRecord<>("stop", null);

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final BlockingQueue<ProducerRecord<String, byte[]>> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final Thread sender = new Thread(this::sendAll, "agent-telemetry");

    TelemetryOutbox(AgentConfig config) {
        this.topic = config.topics().telemetry();
        this.producer = new KafkaProducer<>(producerProperties(config));
        sender.setDaemon(true);
    }

    private static Properties producerProperties(AgentConfig c) {
        Properties p = c.kafka().client("faultline-agent-" + c.agentId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // No JMX: the agent exports what matters itself (--metrics-port), and the MBeans cost memory.
        p.put(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    void start() {
        sender.start();
    }

    /** Queues the event; never blocks. */
    void offer(TelemetryEvent event) {
        if (!queue.offer(new ProducerRecord<>(topic, event.recordKey(), Json.encode(event)))) {
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
                ProducerRecord<String, byte[]> r = queue.take();
                if (r == STOP) {
                    return;
                }
                try {
                    producer.send(r, (md, e) -> {
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

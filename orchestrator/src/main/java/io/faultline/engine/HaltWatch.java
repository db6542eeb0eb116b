package io.faultline.engine;

import io.faultline.protocol.Halt;
import io.faultline.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Follows the halt topic from its end and reports every halt issued after {@code since}. */
final class HaltWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaltWatch.class);

    /** What is told of each halt issued since the watch began. */
    @FunctionalInterface
    interface OnHalt {
        void halted(Halt halt);
    }

    private final Consumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    HaltWatch(Consumer<String, byte[]> consumer, String topic, Instant since,
              OnHalt onHalt) {
        this.consumer = consumer;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        try {
                            Halt h = Json.decode(r.value(), Halt.class);
                            if (!h.at().isBefore(since)) {
                                onHalt.halted(h);
                            }
                        } catch (Json.JsonCodecException e) {
                            log.warn("unreadable halt record at offset {}: {}", r.offset(), e.getMessage());
                        }
                    }
                }
            } catch (WakeupException e) {
                // Closing.
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            }
        }, "halt-watch");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

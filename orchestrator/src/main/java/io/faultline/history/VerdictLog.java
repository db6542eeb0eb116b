package io.faultline.history;

import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The verdicts topic read as the history of game-days: every verdict from {@code since} (or the
 * beginning) up to the end the topic had when reading started, so a reader always finishes
 * however busy the topic is. A record that is not a verdict is skipped and counted.
 */
public final class VerdictLog {
    /** What was read: the verdicts in log order, and how many records were not verdicts. */
    public record Read(List<Verdict> verdicts, long skipped) {
    }

    private VerdictLog() {
    }

    /**
     * @param since  the earliest record time to read; null for the whole topic
     * @param budget how long reading may take at most
     */
    public static Read read(KafkaConnection kafka, String topic, Instant since, Duration budget) {
        Properties p = kafka.client("faultline-history");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024));
        List<Verdict> out = new ArrayList<>();
        long skipped = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(15))
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (since != null) {
                Map<TopicPartition, Long> times = new HashMap<>();
                partitions.forEach(tp -> times.put(tp, since.toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(times, Duration.ofSeconds(15));
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(15));
                from.forEach((tp, o) -> consumer.seek(tp, o == null ? ends.get(tp) : o.offset()));
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(15));
            long deadline = System.nanoTime() + budget.toNanos();
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    try {
                        out.add(Json.decode(r.value(), Verdict.class));
                    } catch (RuntimeException e) {
                        // Not a verdict: garbage, or a record of another kind.
                        skipped++;
                    }
                }
            }
        }
        return new Read(out, skipped);
    }
}

package io.faultline.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one topic through an assigned consumer: from its beginning (or the first record at or
 * after a time) up to the end it had when reading began, or on until the caller has what it
 * wants; always within a budget measured on the clock handed in, so a reader finishes however
 * busy the topic is.
 */
public final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);

    /** What a reader hands each record to. */
    @FunctionalInterface
    public interface Handler {
        void accept(ConsumerRecord<String, byte[]> record);
    }

    private final Consumer<String, byte[]> consumer;
    private final Clock clock;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> ends;

    private TopicReader(Consumer<String, byte[]> consumer, Clock clock,
                        List<TopicPartition> partitions, Map<TopicPartition, Long> ends) {
        this.consumer = consumer;
        this.clock = clock;
        this.partitions = partitions;
        this.ends = ends;
    }

    /**
     * Assigns every partition of {@code topic} to {@code consumer}, positioned at the beginning,
     * or where records from {@code since} start (the end where there are none); remembers the ends.
     *
     * @param timeout how long each metadata lookup may take
     */
    public static TopicReader open(Consumer<String, byte[]> consumer, String topic,
                                   Instant since, Duration timeout, Clock clock) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        if (since != null) {
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(tp -> times.put(tp, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(times, timeout);
            from.forEach((tp, o) -> consumer.seek(tp, o == null ? ends.get(tp) : o.offset()));
        }
        return new TopicReader(consumer, clock, partitions, Map.copyOf(ends));
    }

    /** Whether every partition has been read up to the end it had when reading began. */
    public boolean atEnd() {
        return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
    }

    /**
     * Hands on every record up to the ends the partitions had when reading began (later ones are
     * left out); returns whether it got there within {@code budget}.
     */
    public boolean readToEnd(Duration budget, Handler onRecord) {
        Instant deadline = clock.instant().plus(budget);
        while (!atEnd()) {
            if (!clock.instant().isBefore(deadline)) {
                return false;
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    onRecord.accept(r);
                }
            }
        }
        return true;
    }

    /**
     * Hands on every record, past the ends too, until {@code done} holds (asked before each poll
     * and after it); returns whether it did within {@code budget}.
     */
    public boolean readUntil(Duration budget, BooleanSupplier done, Handler onRecord) {
        Instant deadline = clock.instant().plus(budget);
        while (!done.getAsBoolean()) {
            if (!clock.instant().isBefore(deadline)) {
                return false;
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                onRecord.accept(r);
            }
        }
        return true;
    }
}

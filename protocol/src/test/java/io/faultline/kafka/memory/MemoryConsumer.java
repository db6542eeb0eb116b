package io.faultline.kafka.memory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Topics in memory as a consumer reads them, for tests that drive a whole agent or run without a
 * broker: kafka-clients' {@code MockConsumer} over topics of one partition each, empty at first,
 * with records {@link #append appended} at the next offset. An empty poll pauses a moment, as a
 * real one waits, instead of spinning. It counts its polls and the records its reader has handled
 * (those a poll returned, once the reader comes back for more), so a test can wait until the code
 * under test has caught up before it moves time on.
 */
public class MemoryConsumer<K, V> extends MockConsumer<K, V> {
    private static final Node NODE = new Node(0, "localhost", 9092);
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final AtomicLong polls = new AtomicLong();
    private long returned;
    private volatile long handled;

    /**
     * @param reset  where a reader without a position starts: {@code "earliest"} or {@code "latest"}
     * @param topics the topics it holds, each of one partition
     */
    public MemoryConsumer(String reset, String... topics) {
        super(reset);
        for (String topic : topics) {
            updatePartitions(topic, List.of(new PartitionInfo(topic, 0, NODE, new Node[] {NODE}, new Node[] {NODE})));
            TopicPartition tp = new TopicPartition(topic, 0);
            updateBeginningOffsets(Map.of(tp, 0L));
            updateEndOffsets(Map.of(tp, 0L));
            next.put(tp, 0L);
        }
    }

    /** Starts {@code topic}'s partition at {@code offset}, as a log whose earlier records were removed. */
    public synchronized void startAt(String topic, long offset) {
        TopicPartition tp = new TopicPartition(topic, 0);
        updateEndOffsets(Map.of(tp, offset));
        next.put(tp, offset);
    }

    /**
     * Appends a record at the partition's next offset; the reader gets it at its next poll. False,
     * with nothing appended, once the consumer is closed.
     */
    public synchronized boolean append(String topic, K key, V value, Headers headers) {
        if (closed()) {
            return false;
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        long offset = next.merge(tp, 1L, Long::sum) - 1;
        addRecord(new ConsumerRecord<>(topic, 0, offset, -1L, TimestampType.NO_TIMESTAMP_TYPE, -1, -1, key, value,
                headers == null ? new RecordHeaders() : headers, Optional.empty()));
        return true;
    }

    /** As above, without headers. */
    public boolean append(String topic, K key, V value) {
        return append(topic, key, value, null);
    }

    /** The polls so far. */
    public long polls() {
        return polls.get();
    }

    /** Records the reader has handled: every one an earlier poll returned, now that it polls again. */
    public long handled() {
        return handled;
    }

    /** No record has a time here: every partition is read from its end. */
    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> times,
                                                                               Duration timeout) {
        Map<TopicPartition, OffsetAndTimestamp> none = new HashMap<>();
        times.keySet().forEach(tp -> none.put(tp, null));
        return none;
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        handled = returned;
        ConsumerRecords<K, V> records = super.poll(timeout);
        returned += records.count();
        polls.incrementAndGet();
        if (records.isEmpty()) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return records;
    }
}

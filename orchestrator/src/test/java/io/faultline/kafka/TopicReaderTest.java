package io.faultline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.time.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The topic reader on kafka-clients' MockConsumer, its budget on a clock moved by hand. */
class TopicReaderTest {
    private static final String TOPIC = "t";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    private final ManualScheduler time = new ManualScheduler(Instant.parse("2026-11-22T10:00:00Z"));
    /** Every poll takes 200 ms of the test's time, as a real poll with nothing to fetch waits. */
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
            time.advance(Duration.ofMillis(200));
            return super.poll(timeout);
        }
    };
    private long next;

    TopicReaderTest() {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[0])));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
    }

    private void end(long end) {
        consumer.updateEndOffsets(Map.of(P0, end));
    }

    private void add(String key) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, next++, key, new byte[0]));
    }

    @Test
    void readsToTheEndTheTopicHadWhenReadingBeganAndNoFurther() {
        end(3);
        TopicReader reader = TopicReader.open(consumer, TOPIC, null, Duration.ofSeconds(1), time.clock());
        add("a");
        add("b");
        add("c");
        add("written-after-the-start");
        List<String> keys = new ArrayList<>();
        assertThat(reader.readToEnd(Duration.ofSeconds(5), r -> keys.add(r.key()))).isTrue();
        assertThat(keys).containsExactly("a", "b", "c");
        assertThat(reader.atEnd()).isTrue();
    }

    @Test
    void givesUpWhenTheBudgetHasPassedOnItsClock() {
        end(5);
        TopicReader reader = TopicReader.open(consumer, TOPIC, null, Duration.ofSeconds(1), time.clock());
        add("a");
        Instant start = time.clock().instant();
        assertThat(reader.readToEnd(Duration.ofSeconds(2), r -> { })).isFalse();
        assertThat(Duration.between(start, time.clock().instant())).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void readsOnPastTheEndUntilTheCallerHasWhatItWants() {
        end(1);
        TopicReader reader = TopicReader.open(consumer, TOPIC, null, Duration.ofSeconds(1), time.clock());
        add("a");
        add("b");
        List<String> keys = new ArrayList<>();
        assertThat(reader.readUntil(Duration.ofSeconds(5), () -> keys.contains("b"), r -> keys.add(r.key()))).isTrue();
        assertThat(keys).containsExactly("a", "b");
        assertThat(reader.readUntil(Duration.ofSeconds(1), () -> keys.contains("never"), r -> keys.add(r.key())))
                .isFalse();
    }
}

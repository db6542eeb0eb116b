package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.scenario.CanarySpec;
import io.faultline.time.ManualScheduler;
import io.faultline.verifier.FaultWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A whole canary run without a broker: kafka-clients' MockProducer and MockConsumer, a service
 * that echoes what it reads (the test), and the pacing on a scheduler and a monotonic clock the
 * test moves by hand. Nothing here waits for the rate in real time.
 */
class CanaryWorkloadTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final Node NODE = new Node(0, "localhost", 9092);

    private final ManualScheduler time = new ManualScheduler(T0);
    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("latest");
    private final Map<TopicPartition, Long> echoed = new HashMap<>();
    private CanaryWorkload canary;

    @AfterEach
    void close() {
        if (canary != null) {
            canary.close();
        }
    }

    /** Monotonic nanoseconds that follow the driven clock, unless a test moves them on their own. */
    private final AtomicLong ticker = new AtomicLong();
    private boolean tickerFollowsClock = true;

    private long nanos() {
        return tickerFollowsClock ? TimeUnit.SECONDS.toNanos(time.clock().instant().getEpochSecond())
                + time.clock().instant().getNano() : ticker.get();
    }

    private CanaryWorkload start(double rate) {
        List<PartitionInfo> in = new ArrayList<>();
        List<PartitionInfo> out = new ArrayList<>();
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            in.add(new PartitionInfo("orders", p, NODE, new Node[] {NODE}, new Node[] {NODE}));
            out.add(new PartitionInfo("orders.out", p, NODE, new Node[] {NODE}, new Node[] {NODE}));
            ends.put(new TopicPartition("orders.out", p), 0L);
        }
        consumer.updatePartitions("orders", in);
        consumer.updatePartitions("orders.out", out);
        consumer.updateEndOffsets(ends);
        CanarySpec spec = new CanarySpec("orders", "orders.out", rate, 3, 6, null, null, null, null);
        canary = new CanaryWorkload("run-1", spec, time.clock(), producer, consumer, time, this::nanos, null);
        canary.start();
        return canary;
    }

    /** The system under test: every canary sent so far comes out on the same partition of the output topic. */
    private void echo() {
        List<ProducerRecord<String, byte[]>> sent = producer.history();
        for (int i = (int) echoed.values().stream().mapToLong(Long::longValue).sum(); i < sent.size(); i++) {
            ProducerRecord<String, byte[]> r = sent.get(i);
            TopicPartition tp = new TopicPartition("orders.out", r.partition());
            long offset = echoed.merge(tp, 1L, Long::sum) - 1;
            ConsumerRecord<String, byte[]> rec = new ConsumerRecord<>("orders.out", r.partition(), offset, r.key(),
                    r.value());
            consumer.schedulePollTask(() -> consumer.addRecord(rec));
        }
    }

    @Test
    void sendsAtItsRateOnTheDrivenClockSpreadsTheKeysOverThePartitionsAndSeesEveryCanaryComeBack() throws Exception {
        start(50);
        // 10 s of driven time at 50/s: the first tick at 0, then one every 20 ms.
        for (int i = 0; i < 500; i++) {
            time.advance(Duration.ofMillis(20));
        }
        assertThat(canary.sentCount()).isEqualTo(501);
        assertThat(canary.missed()).isZero();
        assertThat(producer.history()).extracting(ProducerRecord::partition).containsOnly(0, 1, 2);
        assertThat(producer.history().stream().filter(r -> r.partition() == 1).count()).isEqualTo(167);

        echo();
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> canary.observedCount() == 501);
        canary.stopProducing();
        time.advance(Duration.ofSeconds(1));
        assertThat(canary.sentCount()).as("nothing is sent once stopped").isEqualTo(501);
        assertThat(canary.drain(Duration.ofSeconds(5))).isTrue();
        assertThat(canary.sendingStoppedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(canary.sendErrors()).isEmpty();
    }

    @Test
    void aProducerThatCannotKeepUpIsCountedAsMissedNotBurstToCatchUp() {
        tickerFollowsClock = false;
        start(1000);
        time.runDue();
        assertThat(canary.sentCount()).isEqualTo(1);
        // The sending thread stalls 2 s (its next tick comes 2 s late): the rate owes 2,000 canaries; a tenth
        // of a second's worth is sent, the rest counted missed, so send times stay even.
        ticker.addAndGet(TimeUnit.SECONDS.toNanos(2));
        time.advance(Duration.ofMillis(1));
        assertThat(canary.sentCount()).isEqualTo(1 + 100);
        assertThat(canary.missed()).isEqualTo(2000 - 100);
    }

    @Test
    void foldsWhatItSentAndSawClearOfTheFaults() throws Exception {
        start(50);
        for (int second = 0; second < 40; second++) { // the service answers within the second
            for (int i = 0; i < 50; i++) {
                time.advance(Duration.ofMillis(20));
            }
            echo();
            Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> canary.observedCount() == canary.sentCount());
        }
        FaultWindow fault = new FaultWindow("kill", "c-1", "agent-1", "process.kill", T0.plusSeconds(30),
                T0.plusSeconds(30), T0.plusSeconds(35), T0.plusSeconds(35));
        long folded = canary.fold(List.of(fault), T0.plusSeconds(25));
        assertThat(folded).as("the uneventful canaries sent well before the fault").isPositive();
        assertThat(canary.foldedCount()).isEqualTo(folded);
        assertThat(canary.sent()).hasSize((int) (canary.sentCount() - folded));
        assertThat(canary.folded()).isNotEmpty().allSatisfy(st ->
                assertThat(st.sentTo()).as("nothing from the fault's window").isBefore(T0.plusSeconds(25)));
    }
}

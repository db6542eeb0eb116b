package io.faultline.workload;

import io.faultline.kafka.Clients;
import io.faultline.protocol.KafkaConnection;
import io.faultline.verifier.History;
import io.faultline.verifier.Observation;
import io.faultline.verifier.SentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Durability of what Kafka acknowledged, Jepsen's question asked of a user's cluster: after the
 * drain, the canary's input partitions are read back from the lowest acknowledged offset, and
 * each acknowledged canary must still be at the offset its acknowledgement gave (the record the
 * run rendered, byte for byte); the output partitions likewise, read committed, each observed
 * result at the offset it was read from. One that is not is {@code truncated}: acknowledged or
 * seen, then gone from the log, as after an unclean leader election or a deletion, and distinct
 * from LOST, which the service never produced. Folded canaries are counted, not looked for.
 */
final class LogReadBack {
    /** The most records read back per run: beyond it the rest is reported unchecked. */
    static final long MAX_RECORDS = 5_000_000;
    static final Duration BUDGET = Duration.ofSeconds(60);

    private LogReadBack() {
    }

    /** The most leader-epoch changes kept per run. */
    static final int MAX_EPOCH_CHANGES = 1_000;

    /** A record looked for: the canary's id, its bytes (input) and when it was acknowledged (input). */
    record Wanted(String id, byte[] value, Instant ackedAt) {
    }

    /**
     * Reads the logs back. {@code acked} holds every acknowledged input offset per partition, folded
     * canaries' too: those are counted when gone from the log, not named.
     */
    static History.ReadBack check(KafkaConnection kafka, String runId, String inputTopic, String outputTopic,
                                  CanaryAdapter adapter, List<SentEvent> sent, List<Observation> observed,
                                  Map<Integer, OffsetRanges> acked) {
        Map<TopicPartition, TreeMap<Long, Wanted>> input = new HashMap<>();
        Map<TopicPartition, TreeMap<Long, SentEvent>> ackedAt = new HashMap<>();
        List<History.Truncated> missing = new ArrayList<>();
        for (SentEvent e : sent) {
            if (e.acknowledged() && e.partition() != null && e.offset() != null) {
                TopicPartition tp = new TopicPartition(inputTopic, e.partition());
                SentEvent first = ackedAt.computeIfAbsent(tp, k -> new TreeMap<>()).get(e.offset());
                if (first != null) {
                    // The log gave this offset out twice: the canary acknowledged there first was taken back.
                    SentEvent gone = first.ackedAt().isAfter(e.ackedAt()) ? e : first;
                    SentEvent stays = gone == e ? first : e;
                    missing.add(new History.Truncated(gone.id(), "input", tp.toString(), e.offset(),
                            "another canary acknowledged at that offset later (" + stays.id() + ")"));
                    if (gone == e) {
                        continue;
                    }
                }
                ackedAt.get(tp).put(e.offset(), e);
                CanaryAdapter.Rendered r = adapter.render(e.seq(), e.key(), e.sentAt());
                input.computeIfAbsent(tp, k -> new TreeMap<>()).put(e.offset(), new Wanted(e.id(), r.value(), e.ackedAt()));
            }
        }
        Map<TopicPartition, TreeMap<Long, Wanted>> output = new HashMap<>();
        for (Observation o : observed) {
            output.computeIfAbsent(new TopicPartition(outputTopic, o.partition()), k -> new TreeMap<>())
                    .putIfAbsent(o.offset(), new Wanted(o.id(), null, null));
        }
        long deadline = System.nanoTime() + BUDGET.toNanos();
        List<String> unchecked = new ArrayList<>();
        List<History.EpochChange> epochs = new ArrayList<>();
        read(kafka, runId + "-input", "read_uncommitted", input, "input", adapter, missing, unchecked, deadline, epochs);
        read(kafka, runId + "-output", "read_committed", output, "output", adapter, missing, unchecked, deadline,
                new ArrayList<>());
        long folded = 0;
        long inputGone = missing.stream().filter(t -> t.log().equals("input") && t.found().startsWith("gone")).count();
        // Offsets handed out again: each repeat a canary taken back. Those of kept canaries are named already
        // (met by another record, or acknowledged there before another); the rest were folded.
        long inputTaken = missing.stream().filter(t -> t.log().equals("input") && t.found().startsWith("another"))
                .count();
        long allAcked = 0;
        long again = acked.values().stream().mapToLong(OffsetRanges::again).sum();
        try (KafkaConsumer<String, byte[]> c = Clients.consumer(kafka, "faultline-readback-" + runId + "-ranges")) {
            // Assigned first: the consumer looks up offsets of its own partitions without a warning.
            c.assign(acked.keySet().stream().map(p -> new TopicPartition(inputTopic, p)).toList());
            for (Map.Entry<Integer, OffsetRanges> e : acked.entrySet()) {
                TopicPartition tp = new TopicPartition(inputTopic, e.getKey());
                long start = c.beginningOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                folded += e.getValue().outside(start, end);
                allAcked += e.getValue().size();
            }
        } catch (RuntimeException e) {
            unchecked.add("the input log's bounds could not be read: " + e.getMessage());
        }
        return new History.ReadBack(Math.max(allAcked, input.values().stream().mapToLong(Map::size).sum()),
                output.values().stream().mapToLong(Map::size).sum(), missing,
                Math.max(0, folded - inputGone) + Math.max(0, again - inputTaken),
                unchecked.isEmpty() ? null : String.join("; ", unchecked), epochs);
    }

    private static void read(KafkaConnection kafka, String clientId, String isolation,
                             Map<TopicPartition, TreeMap<Long, Wanted>> wanted, String log, CanaryAdapter adapter,
                             List<History.Truncated> missing, List<String> unchecked, long deadline,
                             List<History.EpochChange> epochs) {
        if (wanted.isEmpty()) {
            return;
        }
        try (KafkaConsumer<String, byte[]> c = Clients.consumer(kafka, "faultline-readback-" + clientId,
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024)))) {
            long records = 0;
            for (Map.Entry<TopicPartition, TreeMap<Long, Wanted>> e : wanted.entrySet()) {
                TopicPartition tp = e.getKey();
                TreeMap<Long, Wanted> left = new TreeMap<>(e.getValue());
                c.assign(List.of(tp));
                long start = c.beginningOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                c.seek(tp, Math.max(start, left.firstKey()));
                long last = left.lastKey();
                Integer epoch = null;
                Instant lastAcked = null;
                while (!left.isEmpty() && c.position(tp) <= last && c.position(tp) < end) {
                    if (System.nanoTime() > deadline || records > MAX_RECORDS) {
                        unchecked.add(left.size() + " " + log + " record(s) of " + tp + " not read back within "
                                + BUDGET.toSeconds() + " s / " + MAX_RECORDS + " records");
                        left.clear();
                        break;
                    }
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500)).records(tp)) {
                        records++;
                        Wanted w = left.remove(r.offset());
                        if (w == null) {
                            continue;
                        }
                        String there = log.equals("input") ? (Arrays.equals(w.value(), r.value()) ? null
                                : "another record") : w.id().equals(adapter.idOf(r.key(), r.value(), r.headers())) ? null
                                : "another record";
                        if (there != null) {
                            missing.add(new History.Truncated(w.id(), log, tp.toString(), r.offset(), there));
                        } else if (w.ackedAt() != null && r.leaderEpoch().isPresent()) {
                            // The leader that appended each canary, as the log records it.
                            int appendedIn = r.leaderEpoch().get();
                            if (epoch != null && appendedIn != epoch && epochs.size() < MAX_EPOCH_CHANGES) {
                                epochs.add(new History.EpochChange(tp.toString(), epoch, appendedIn, lastAcked,
                                        w.ackedAt()));
                            }
                            epoch = appendedIn;
                            lastAcked = w.ackedAt();
                        }
                    }
                }
                // What is left was never met: gone from the log (or skipped as aborted, reading committed).
                for (Map.Entry<Long, Wanted> m : left.entrySet()) {
                    String found = m.getKey() < start ? "gone: the log now starts at offset " + start
                            : m.getKey() >= end ? "gone: the log now ends at offset " + end
                            : "no record at that offset";
                    missing.add(new History.Truncated(m.getValue().id(), log, tp.toString(), m.getKey(), found));
                }
            }
        } catch (RuntimeException e) {
            unchecked.add("the " + log + " log could not be read back: " + e.getMessage());
        }
    }
}

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
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
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

    /**
     * The records looked for in one partition: their offsets, ascending, each with the index of its
     * canary in the list it came from (the run's sent canaries, or its observations). Primitive
     * columns, not an object per record: a long run reads back millions, and each canary's bytes
     * are rendered again only when its record is met.
     */
    static final class Wanted {
        private long[] offsets = new long[16];
        private int[] index = new int[16];
        private int size;

        void add(long offset, int i) {
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                index = Arrays.copyOf(index, size * 2);
            }
            offsets[size] = offset;
            index[size] = i;
            size++;
        }

        /** Sorts by offset, keeping the order of equal ones; acknowledgements mostly come in order already. */
        void sort() {
            boolean sorted = true;
            for (int k = 1; k < size && sorted; k++) {
                sorted = offsets[k - 1] <= offsets[k];
            }
            if (sorted) {
                return;
            }
            Integer[] order = new Integer[size];
            for (int k = 0; k < size; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, b) -> Long.compare(offsets[a], offsets[b]));
            long[] o = new long[size];
            int[] x = new int[size];
            for (int k = 0; k < size; k++) {
                o[k] = offsets[order[k]];
                x[k] = index[order[k]];
            }
            offsets = o;
            index = x;
        }

        int size() {
            return size;
        }

        long offset(int k) {
            return offsets[k];
        }

        int index(int k) {
            return index[k];
        }

        /** Keeps only the entries {@code keep} says yes to, in order. */
        void retain(IntPredicate keep) {
            int w = 0;
            for (int k = 0; k < size; k++) {
                if (keep.test(k)) {
                    offsets[w] = offsets[k];
                    index[w] = index[k];
                    w++;
                }
            }
            size = w;
        }
    }

    /**
     * Reads the logs back. {@code acked} holds every acknowledged input offset per partition, folded
     * canaries' too: those are counted when gone from the log, not named.
     */
    static History.ReadBack check(KafkaConnection kafka, String runId, String inputTopic, String outputTopic,
                                  CanaryAdapter adapter, List<SentEvent> sent, List<Observation> observed,
                                  Map<Integer, OffsetRanges> acked) {
        Map<TopicPartition, Wanted> input = new HashMap<>();
        List<History.Truncated> missing = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            SentEvent e = sent.get(i);
            if (e.acknowledged() && e.partition() != null && e.offset() != null) {
                input.computeIfAbsent(new TopicPartition(inputTopic, e.partition()), k -> new Wanted()).add(e.offset(), i);
            }
        }
        for (Map.Entry<TopicPartition, Wanted> w : input.entrySet()) {
            Wanted in = w.getValue();
            in.sort();
            // The log gave an offset out twice: the canaries acknowledged there before the last were taken back.
            boolean[] drop = new boolean[in.size()];
            for (int k = 0; k < in.size(); ) {
                int end = k;
                while (end + 1 < in.size() && in.offset(end + 1) == in.offset(k)) {
                    end++;
                }
                if (end > k) {
                    int stays = k;
                    for (int j = k + 1; j <= end; j++) {
                        if (!sent.get(in.index(j)).ackedAt().isBefore(sent.get(in.index(stays)).ackedAt())) {
                            stays = j;
                        }
                    }
                    for (int j = k; j <= end; j++) {
                        if (j != stays) {
                            drop[j] = true;
                            missing.add(new History.Truncated(sent.get(in.index(j)).id(), "input", w.getKey().toString(),
                                    in.offset(j), "another canary acknowledged at that offset later ("
                                    + sent.get(in.index(stays)).id() + ")"));
                        }
                    }
                }
                k = end + 1;
            }
            in.retain(k -> !drop[k]);
        }
        Map<TopicPartition, Wanted> output = new HashMap<>();
        for (int i = 0; i < observed.size(); i++) {
            Observation o = observed.get(i);
            output.computeIfAbsent(new TopicPartition(outputTopic, o.partition()), k -> new Wanted()).add(o.offset(), i);
        }
        for (Wanted out : output.values()) {
            out.sort();
            // Seen twice at one offset (read again after a rebalance): looked for once, as the first sighting.
            boolean[] repeat = new boolean[out.size()];
            for (int k = 1; k < out.size(); k++) {
                repeat[k] = out.offset(k) == out.offset(k - 1);
            }
            out.retain(k -> !repeat[k]);
        }
        long deadline = System.nanoTime() + BUDGET.toNanos();
        List<String> unchecked = new ArrayList<>();
        List<History.EpochChange> epochs = new ArrayList<>();
        read(kafka, runId + "-input", "read_uncommitted", input, "input", adapter, missing, unchecked, deadline, epochs,
                k -> sent.get(k).id(), k -> sent.get(k).ackedAt(), k -> {
                    SentEvent e = sent.get(k);
                    return adapter.render(e.seq(), e.key(), e.sentAt()).value();
                });
        read(kafka, runId + "-output", "read_committed", output, "output", adapter, missing, unchecked, deadline,
                new ArrayList<>(), k -> observed.get(k).id(), k -> null, null);
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
        return new History.ReadBack(Math.max(allAcked, input.values().stream().mapToLong(Wanted::size).sum()),
                output.values().stream().mapToLong(Wanted::size).sum(), missing,
                Math.max(0, folded - inputGone) + Math.max(0, again - inputTaken),
                unchecked.isEmpty() ? null : String.join("; ", unchecked), epochs);
    }

    /**
     * Reads each partition of {@code wanted} from its first wanted offset and meets the records in
     * offset order; {@code bytesOf} renders an input canary's record again (null for the output,
     * whose records are matched by the canary id found in them).
     */
    private static void read(KafkaConnection kafka, String clientId, String isolation, Map<TopicPartition, Wanted> wanted,
                             String log, CanaryAdapter adapter, List<History.Truncated> missing, List<String> unchecked,
                             long deadline, List<History.EpochChange> epochs, IntFunction<String> idOf,
                             IntFunction<Instant> ackedAtOf, IntFunction<byte[]> bytesOf) {
        wanted.values().removeIf(w -> w.size() == 0);
        if (wanted.isEmpty()) {
            return;
        }
        try (KafkaConsumer<String, byte[]> c = Clients.consumer(kafka, "faultline-readback-" + clientId,
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024)))) {
            long records = 0;
            for (Map.Entry<TopicPartition, Wanted> e : wanted.entrySet()) {
                TopicPartition tp = e.getKey();
                Wanted w = e.getValue();
                c.assign(List.of(tp));
                long start = c.beginningOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
                c.seek(tp, Math.max(start, w.offset(0)));
                long last = w.offset(w.size() - 1);
                Integer epoch = null;
                Instant lastAcked = null;
                int k = 0;
                boolean outOfBudget = false;
                while (k < w.size() && c.position(tp) <= last && c.position(tp) < end) {
                    if (System.nanoTime() > deadline || records > MAX_RECORDS) {
                        unchecked.add((w.size() - k) + " " + log + " record(s) of " + tp + " not read back within "
                                + BUDGET.toSeconds() + " s / " + MAX_RECORDS + " records");
                        outOfBudget = true;
                        break;
                    }
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500)).records(tp)) {
                        records++;
                        // Wanted offsets the log went past without a record there: not in the log.
                        while (k < w.size() && w.offset(k) < r.offset()) {
                            missing.add(new History.Truncated(idOf.apply(w.index(k)), log, tp.toString(), w.offset(k),
                                    unmet(w.offset(k), start, end)));
                            k++;
                        }
                        if (k >= w.size() || w.offset(k) != r.offset()) {
                            continue;
                        }
                        int i = w.index(k++);
                        String id = idOf.apply(i);
                        boolean same = bytesOf != null ? Arrays.equals(bytesOf.apply(i), r.value())
                                : id.equals(adapter.idOf(r.key(), r.value(), r.headers()));
                        Instant ackedAt = ackedAtOf.apply(i);
                        if (!same) {
                            missing.add(new History.Truncated(id, log, tp.toString(), r.offset(), "another record"));
                        } else if (ackedAt != null && r.leaderEpoch().isPresent()) {
                            // The leader that appended each canary, as the log records it.
                            int appendedIn = r.leaderEpoch().get();
                            if (epoch != null && appendedIn != epoch && epochs.size() < MAX_EPOCH_CHANGES) {
                                epochs.add(new History.EpochChange(tp.toString(), epoch, appendedIn, lastAcked, ackedAt));
                            }
                            epoch = appendedIn;
                            lastAcked = ackedAt;
                        }
                    }
                }
                // What is left was never met: gone from the log (or skipped as aborted, reading committed).
                for (; !outOfBudget && k < w.size(); k++) {
                    missing.add(new History.Truncated(idOf.apply(w.index(k)), log, tp.toString(), w.offset(k),
                            unmet(w.offset(k), start, end)));
                }
            }
        } catch (RuntimeException e) {
            unchecked.add("the " + log + " log could not be read back: " + e.getMessage());
        }
    }

    private static String unmet(long offset, long start, long end) {
        return offset < start ? "gone: the log now starts at offset " + start
                : offset >= end ? "gone: the log now ends at offset " + end
                : "no record at that offset";
    }
}

package io.faultline.verifier;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Delivery analysis: which canaries were lost, unseen, duplicated (and why, where the service
 * reports its input position), unexpected or reordered. Pure: reads the canary index only.
 */
final class DeliveryAnalysis {

    private DeliveryAnalysis() {
    }

    /**
     * Every event-level anomaly, each list in send order (unexpected: sorted by id).
     *
     * @param redelivered  the duplicates two of whose results report the same input offset and came
     *                     from different consumers: another instance ({@code processed-by}), or the
     *                     same one across a fault applied or undone between them (a restart, a
     *                     rebalance): the input record was delivered again (a subset of duplicated)
     * @param sameInstance the duplicates two of whose results report the same input offset and the
     *                     same instance, with no fault between them: written twice by one consumer,
     *                     or redelivered within it; Faultline cannot tell which (a subset of duplicated)
     * @param unexplained  the duplicates with a result that reports no input offset: the cause cannot
     *                     be told (a subset of duplicated). The rest report different input offsets:
     *                     the canary reached the reporting stage twice (written twice before it)
     */
    public record Anomalies(List<String> lost, List<String> unseen, List<String> duplicated, List<String> redelivered,
                            List<String> sameInstance, List<String> unexplained, List<String> unexpected,
                            List<String> reordered) {
    }

    /** Classifies every sent and observed canary; see {@link Anomalies}. */
    static Anomalies anomalies(History h) {
        return anomalies(h, CanaryIndex.of(h));
    }

    /**
     * As {@link #anomalies(History)}, on an index already built: judged from the index's arrival
     * counts (a byte per canary), looking at the arrivals of the duplicated and unexpected ones
     * only, so the cost beyond the index is the anomalies themselves.
     */
    static Anomalies anomalies(History h, CanaryIndex index) {
        TreeSet<String> unexpected = new TreeSet<>();
        Map<Integer, List<Integer>> repeats = new HashMap<>();
        // Results of folded canaries that came after the fold: each a second result, its first no longer kept.
        TreeMap<Long, String> lateRepeats = new TreeMap<>();
        for (int i = 0; i < index.arrivals(); i++) {
            int p = index.arrivalOf(i);
            if (p < 0) {
                String id = index.arrival(i).id();
                Stretch s = index.foldedWith(id);
                if (s != null) {
                    lateRepeats.put(CanaryLog.seqOf(s.idPrefix(), id), id);
                } else {
                    unexpected.add(id);
                }
            } else if (index.times(p) > 1) {
                repeats.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> redelivered = new ArrayList<>();
        List<String> sameInstance = new ArrayList<>();
        List<String> unexplained = new ArrayList<>();
        Set<String> goneFromInput = goneFromInput(h);
        for (int p : index.bySeq()) {
            // Only an anomaly is made a record: the others are judged from the index's columns.
            int q = index.canonical(p);
            if (index.times(q) == 0) {
                if (!index.acknowledged(p)) {
                    continue;
                }
                SentEvent e = index.sent(p);
                if (goneFromInput.contains(e.id())) {
                    continue; // Kafka's loss, not the service's: counted as truncated.
                }
                Long committed = e.partition() == null ? null : h.committed().get(e.partition());
                if (committed != null && e.offset() != null && committed > e.offset()) {
                    lost.add(e.id());
                } else {
                    unseen.add(e.id());
                }
            } else if (index.times(q) > 1) {
                String id = index.sent(p).id();
                duplicated.add(id);
                List<Observation> copies = repeats.get(q).stream().map(index::arrival).toList();
                if (!copies.stream().allMatch(o -> o.inputOffset() != null)) {
                    unexplained.add(id);
                } else {
                    switch (sameOffsetCause(copies, h.faults())) {
                        case REDELIVERED -> redelivered.add(id);
                        case SAME_INSTANCE -> sameInstance.add(id);
                        case NONE -> { }
                    }
                }
            }
        }
        if (!lateRepeats.isEmpty()) {
            duplicated = mergeBySeq(duplicated, lateRepeats, index);
            unexplained = mergeBySeq(unexplained, lateRepeats, index);
        }
        return new Anomalies(lost, unseen, duplicated, redelivered, sameInstance, unexplained,
                List.copyOf(unexpected), reordered(h, index));
    }

    /**
     * Acknowledged canaries that the read-back found gone from the input log (or another record
     * at their offset): one never observed was taken from the service before it could read it, so
     * it is {@code truncated}, neither lost nor unseen.
     */
    private static Set<String> goneFromInput(History h) {
        if (h.kafka() == null || h.kafka().readBack() == null) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        for (History.Truncated t : h.kafka().readBack().missing()) {
            if (t.log().equals("input")) {
                ids.add(t.id());
            }
        }
        return ids;
    }

    private enum Cause { REDELIVERED, SAME_INSTANCE, NONE }

    /**
     * Why two results of a canary report the same input offset, from the evidence there is: a
     * different instance, or a fault applied or undone between them, is another consumer
     * generation (a redelivery); the same instance with nothing between is one consumer writing it
     * twice or redelivering to itself. NONE when no two results share an input offset.
     */
    private static Cause sameOffsetCause(List<Observation> copies, List<FaultWindow> faults) {
        Cause found = Cause.NONE;
        for (int a = 0; a < copies.size(); a++) {
            for (int b = a + 1; b < copies.size(); b++) {
                Observation x = copies.get(a);
                Observation y = copies.get(b);
                if (!x.inputOffset().equals(y.inputOffset())) {
                    continue;
                }
                if (!Objects.equals(x.processedBy(), y.processedBy()) || faultBetween(x, y, faults)) {
                    return Cause.REDELIVERED;
                }
                found = Cause.SAME_INSTANCE;
            }
        }
        return found;
    }

    /** Whether a fault was applied or undone between the two results' arrivals. */
    private static boolean faultBetween(Observation x, Observation y, List<FaultWindow> faults) {
        Instant from = x.observedAt().isBefore(y.observedAt()) ? x.observedAt() : y.observedAt();
        Instant to = x.observedAt().isBefore(y.observedAt()) ? y.observedAt() : x.observedAt();
        for (FaultWindow f : faults) {
            for (Instant t : new Instant[] {f.invokedAt(), f.appliedAt(), f.healInvokedAt(), f.undoneAt()}) {
                if (t != null && !t.isBefore(from) && !t.isAfter(to)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code ids} of canaries kept whole, with {@code more} of folded ones, in sequence order. */
    private static List<String> mergeBySeq(List<String> ids, TreeMap<Long, String> more, CanaryIndex index) {
        TreeMap<Long, String> out = new TreeMap<>(more);
        for (String id : ids) {
            out.put(index.seq(index.position(id)), id);
        }
        return List.copyOf(out.values());
    }

    /**
     * Events observed (first time) after an event of the same key that was sent later: per key,
     * first observations in arrival order (output partition, then offset) must follow send order.
     */
    private static List<String> reordered(History h, CanaryIndex index) {
        int[] first = new int[index.size()];
        Arrays.fill(first, -1);
        for (int i = 0; i < index.arrivals(); i++) {
            int p = index.arrivalOf(i);
            if (p >= 0 && (first[p] < 0 || index.arrivedBefore(i, first[p]))) {
                first[p] = i;
            }
        }
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (int p = 0; p < first.length; p++) {
            if (first[p] >= 0 && index.key(p) != null) {
                byKey.computeIfAbsent(index.key(p), k -> new ArrayList<>()).add(p);
            }
        }
        List<SentEvent> out = new ArrayList<>();
        for (int p = 0; p < first.length; p++) {
            if (first[p] >= 0 && index.key(p) != null && overtakenByFolded(p, index)) {
                out.add(index.sent(p));
            }
        }
        for (List<Integer> arrivals : byKey.values()) {
            arrivals.sort((a, b) -> index.arrivedBefore(first[a], first[b]) ? -1
                    : index.arrivedBefore(first[b], first[a]) ? 1 : 0);
            long highest = Long.MIN_VALUE;
            for (int p : arrivals) {
                if (index.seq(p) < highest) {
                    out.add(index.sent(p));
                }
                highest = Math.max(highest, index.seq(p));
            }
        }
        return out.stream().sorted(Comparator.comparingLong(SentEvent::seq)).map(SentEvent::id).distinct().toList();
    }

    /**
     * Whether a folded canary of the same key, sent later, came out before canary {@code p} first
     * did: a stretch's results all came out together, so that is a stretch of later canaries with
     * its key whose results all came before.
     */
    private static boolean overtakenByFolded(int p, CanaryIndex index) {
        List<Stretch> folded = index.folded();
        if (folded.isEmpty()) {
            return false;
        }
        long seq = index.seq(p);
        long seen = index.firstSeenNanos(p);
        int lo = 0;
        int hi = folded.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (folded.get(mid).firstSeq() > seq) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        for (int j = lo; j < folded.size() && CanaryIndex.nanos(folded.get(j).seenTo()) < seen; j++) {
            if (folded.get(j).keys().contains(index.key(p))) {
                return true;
            }
        }
        return false;
    }

}

package io.faultline.verifier;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Canaries folded into a summary: a run of consecutive sequence numbers, every one acknowledged
 * and observed exactly once, in order per key, far from any fault, whose results came out after
 * every result of an earlier canary and before every result of a later one (see {@link Fold}). Such a stretch has
 * nothing left to prove about a single canary; what the checks still need of it is here, exact:
 * how many, when sent and seen, the multiset of latencies, the slow canaries that can decide a
 * recovery time, and per stream of completions its gaps. A long run keeps these instead of its
 * canaries, which is what bounds its memory and its audit record (see docs/verifier.md).
 *
 * @param idPrefix   a canary's id is this and its sequence number
 * @param firstSeq   the first canary's sequence number; the stretch is {@code [firstSeq, firstSeq + count)}
 * @param keys       the keys its canaries were sent with
 * @param partitionCycle the input partition of canary {@code firstSeq + i} is
 *                   {@code partitionCycle[i % partitionCycle.size()]} (as when each key goes to one
 *                   partition and keys take turns); empty when there is no such short cycle
 * @param sentFrom   the first canary's send time; {@code sentTo} the last one's
 * @param seenFrom   the first result's receive time; {@code seenTo} the last one's
 * @param latency    send-to-seen latency of each canary, whole milliseconds
 * @param slowBySend the canaries slower than every canary sent after them in the stretch, in send
 *                   order: the last canary over any bound is one of them
 * @param slowBySeen the canaries slower than every canary seen after them in the stretch, in
 *                   order of seen time
 * @param flows      the completions on all partitions ({@code partition} null) and on each input partition
 */
public record Stretch(String idPrefix, long firstSeq, long count, List<String> keys, List<Integer> partitionCycle,
                      Instant sentFrom, Instant sentTo, Instant seenFrom, Instant seenTo,
                      Counts latency, List<Slow> slowBySend, List<Slow> slowBySeen, List<Flow> flows) {
    public Stretch {
        if (idPrefix == null || count < 1 || sentFrom == null || sentTo == null || seenFrom == null || seenTo == null || latency == null) {
            throw new IllegalArgumentException("stretch: needs at least one canary, its send and seen times and latencies");
        }
        if (latency.total() != count) {
            throw new IllegalArgumentException("stretch: " + count + " canaries but " + latency.total() + " latencies");
        }
        keys = keys == null ? List.of() : List.copyOf(keys);
        partitionCycle = partitionCycle == null ? List.of() : List.copyOf(partitionCycle);
        slowBySend = slowBySend == null ? List.of() : List.copyOf(slowBySend);
        slowBySeen = slowBySeen == null ? List.of() : List.copyOf(slowBySeen);
        flows = flows == null ? List.of() : List.copyOf(flows);
    }

    /**
     * A canary slower than all after it.
     *
     * @param at   its send time ({@code slowBySend}) or seen time ({@code slowBySeen})
     * @param ms   its latency
     * @param next in {@code slowBySend}, the send time of the canary sent after it in the stretch;
     *             null when it is the stretch's last
     */
    public record Slow(Instant at, long ms, Instant next) {
        public Slow {
            if (at == null || ms < 0) {
                throw new IllegalArgumentException("stretch: a slow canary needs its time and a latency of 0 ms or more");
            }
        }
    }

    /**
     * Completions of one stream inside the stretch: {@code count} results from {@code first} to
     * {@code last}, the widest gap between two consecutive ones and where it was, and every gap.
     *
     * @param partition the input partition; null for all partitions together
     * @param wide      every gap wide enough to be a stop (see {@link Fold}), in time order; at
     *                  most {@link #MAX_WIDE}
     */
    public record Flow(Integer partition, long count, Instant first, Instant last, long maxGapMs, Instant maxGapFrom,
                       Instant maxGapTo, Counts gaps, List<Gap> wide) {
        public Flow {
            if (count < 1 || first == null || last == null || last.isBefore(first) || gaps == null
                    || gaps.total() != count - 1 || (count > 1 && (maxGapFrom == null || maxGapTo == null))) {
                throw new IllegalArgumentException("stretch: a flow of completions needs its count, ends, widest gap "
                        + "and one gap fewer than completions");
            }
            wide = wide == null ? List.of() : List.copyOf(wide);
            if (wide.size() > MAX_WIDE) {
                throw new IllegalArgumentException("stretch: a flow keeps at most " + MAX_WIDE + " wide gaps");
            }
        }
    }

    /** The most wide gaps a flow keeps: a stream with more is not uneventful, and is not folded. */
    public static final int MAX_WIDE = 8;

    /** A gap between two consecutive completions: from one to the next, in whole milliseconds. */
    public record Gap(Instant from, Instant to, long ms) {
        public Gap {
            if (from == null || to == null || ms < 0) {
                throw new IllegalArgumentException("stretch: a gap needs its ends and a length of 0 ms or more");
            }
        }
    }

    /** The stream of completions on {@code partition} (null: all); null when none of the stretch's went there. */
    public Flow flow(Integer partition) {
        for (Flow f : flows) {
            if (Objects.equals(f.partition(), partition)) {
                return f;
            }
        }
        return null;
    }

    public long lastSeq() {
        return firstSeq + count - 1;
    }

    /** The input partition of canary {@code seq} of this stretch; null when not known. */
    public Integer partitionOf(long seq) {
        return partitionCycle.isEmpty() || !holds(seq) ? null
                : partitionCycle.get((int) ((seq - firstSeq) % partitionCycle.size()));
    }

    /** Whether canary {@code seq} is one of this stretch's. */
    public boolean holds(long seq) {
        return seq >= firstSeq && seq - firstSeq < count;
    }

    /** The stretch of {@code folded} (in sequence order) that holds the canary with this id, or null. */
    static Stretch holding(List<Stretch> folded, String id) {
        if (folded.isEmpty()) {
            return null;
        }
        // Usually every stretch has the run's prefix: find the one by its sequence numbers.
        long n0 = CanaryLog.seqOf(folded.get(0).idPrefix(), id);
        if (n0 >= 0) {
            int lo = 0;
            int hi = folded.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (folded.get(mid).firstSeq() <= n0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            Stretch s = folded.get(lo);
            if (s.holds(n0) && s.idPrefix().equals(folded.get(0).idPrefix())) {
                return s;
            }
        }
        for (Stretch s : folded) {
            long n = CanaryLog.seqOf(s.idPrefix(), id);
            if (n >= 0 && s.holds(n)) {
                return s;
            }
        }
        return null;
    }
}

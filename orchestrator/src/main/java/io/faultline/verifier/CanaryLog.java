package io.faultline.verifier;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * What a run's canary recorded, in columns of primitives: for each canary sent (its sequence
 * number is its index) when it was sent and acknowledged and where the broker wrote it, and for
 * each arrival on the output topic when and where it came out. A canary's id and key are not
 * stored: they follow from its sequence number. About 68 bytes per canary sent and observed
 * once, against several hundred as objects, so a long run at a high rate fits in memory.
 *
 * <p>The workload appends while the run goes (sends on one thread, acknowledgements on the
 * producer's, arrivals on the observer's); {@link #sent()} and {@link #observations()} are
 * fixed-size views of what was there when they were taken, read as {@link SentEvent} and
 * {@link Observation} records made on the fly.
 */
public final class CanaryLog {
    private static final int SHIFT = 14;
    private static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;
    private static final long NONE = Long.MIN_VALUE;

    private final String idPrefix;
    private final int keys;

    private final List<long[]> sentAt = new ArrayList<>();
    private final List<long[]> ackedAt = new ArrayList<>();
    private final List<int[]> inPartition = new ArrayList<>();
    private final List<long[]> inOffset = new ArrayList<>();
    private int sentCount;
    private int ackedCount;

    private final List<long[]> obsSeq = new ArrayList<>();
    private final List<long[]> obsAt = new ArrayList<>();
    private final List<int[]> obsPartition = new ArrayList<>();
    private final List<long[]> obsOffset = new ArrayList<>();
    private final List<int[]> obsProcessedBy = new ArrayList<>();
    private final List<long[]> obsInputOffset = new ArrayList<>();
    private int observedCount;
    /** Ids of arrivals that are not {@code idPrefix + seq}: a canary of this run that was never sent. */
    private final Map<Integer, String> oddIds = new HashMap<>();
    /** The few distinct {@code processed-by} values, stored once. */
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> nameIndex = new HashMap<>();
    /** Which sequence numbers have arrived at least once, one bit each. */
    private final List<long[]> seen = new ArrayList<>();

    /**
     * @param idPrefix a canary's id is this followed by its sequence number
     * @param keys     canary {@code seq} has key {@code "k" + seq % keys}
     */
    public CanaryLog(String idPrefix, int keys) {
        this.idPrefix = idPrefix;
        this.keys = keys;
    }

    public String id(long seq) {
        return idPrefix + seq;
    }

    public String key(long seq) {
        return "k" + (seq % keys);
    }

    /** Canary {@code seq} was sent; sequence numbers come in order, from 0. */
    public synchronized void sent(long seq, Instant at) {
        if (seq != sentCount) {
            throw new IllegalArgumentException("canary " + seq + " sent out of order (expected " + sentCount + ")");
        }
        if ((sentCount & MASK) == 0) {
            sentAt.add(new long[CHUNK]);
            long[] none = new long[CHUNK];
            java.util.Arrays.fill(none, NONE);
            ackedAt.add(none);
            inPartition.add(new int[CHUNK]);
            inOffset.add(new long[CHUNK]);
        }
        sentAt.get(sentCount >>> SHIFT)[sentCount & MASK] = nanos(at);
        sentCount++;
    }

    /** The broker acknowledged canary {@code seq}: it is at {@code offset} of input partition {@code partition}. */
    public synchronized void acknowledged(long seq, Instant at, int partition, Long offset) {
        if (seq < 0 || seq >= sentCount) {
            return;
        }
        int i = (int) seq;
        long[] acked = ackedAt.get(i >>> SHIFT);
        if (acked[i & MASK] == NONE) {
            ackedCount++;
        }
        acked[i & MASK] = nanos(at);
        inPartition.get(i >>> SHIFT)[i & MASK] = partition;
        inOffset.get(i >>> SHIFT)[i & MASK] = offset == null ? NONE : offset;
    }

    /** A canary of this run came out: {@code id} at {@code offset} of output partition {@code partition}. */
    public synchronized void observed(String id, Instant at, int partition, long offset, String processedBy,
                                      Long inputOffset) {
        if ((observedCount & MASK) == 0) {
            obsSeq.add(new long[CHUNK]);
            obsAt.add(new long[CHUNK]);
            obsPartition.add(new int[CHUNK]);
            obsOffset.add(new long[CHUNK]);
            obsProcessedBy.add(new int[CHUNK]);
            obsInputOffset.add(new long[CHUNK]);
        }
        int c = observedCount >>> SHIFT;
        int j = observedCount & MASK;
        long seq = seqOf(idPrefix, id);
        if (seq < 0) {
            oddIds.put(observedCount, id);
        } else if (seq < Integer.MAX_VALUE) {
            markSeen((int) seq);
        }
        obsSeq.get(c)[j] = seq;
        obsAt.get(c)[j] = nanos(at);
        obsPartition.get(c)[j] = partition;
        obsOffset.get(c)[j] = offset;
        obsProcessedBy.get(c)[j] = processedBy == null ? -1 : nameIndex.computeIfAbsent(processedBy, n -> {
            names.add(n);
            return names.size() - 1;
        });
        obsInputOffset.get(c)[j] = inputOffset == null ? NONE : inputOffset;
        observedCount++;
    }

    /** The sequence number in {@code id}, or -1 when it is not {@code prefix} and a number as ids spell them. */
    static long seqOf(String prefix, String id) {
        int digits = id.length() - prefix.length();
        if (!id.startsWith(prefix) || digits < 1 || digits > 18 || (digits > 1 && id.charAt(prefix.length()) == '0')) {
            // "…:07" is not canary 7: only the canonical spelling is the canary's id.
            return -1;
        }
        long seq = 0;
        for (int k = prefix.length(); k < id.length(); k++) {
            char ch = id.charAt(k);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            seq = seq * 10 + (ch - '0');
        }
        return seq;
    }

    private void markSeen(int seq) {
        int word = seq >>> 6;
        int chunk = word >>> SHIFT;
        while (seen.size() <= chunk) {
            seen.add(new long[CHUNK]);
        }
        seen.get(chunk)[word & MASK] |= 1L << (seq & 63);
    }

    private boolean wasSeen(int seq) {
        int word = seq >>> 6;
        int chunk = word >>> SHIFT;
        return chunk < seen.size() && (seen.get(chunk)[word & MASK] & (1L << (seq & 63))) != 0;
    }

    public synchronized int sentCount() {
        return sentCount;
    }

    public synchronized int observedCount() {
        return observedCount;
    }

    /** Acknowledged canaries that have not come out yet. */
    public synchronized long unobserved() {
        long n = 0;
        for (int i = 0; i < sentCount; i++) {
            if (ackedAt.get(i >>> SHIFT)[i & MASK] != NONE && !wasSeen(i)) {
                n++;
            }
        }
        return n;
    }

    /** The canaries sent so far, in sequence order. */
    public synchronized List<SentEvent> sent() {
        // The chunk lists are copied (a few references) so that reading needs no lock.
        List<long[]> sa = List.copyOf(sentAt);
        List<long[]> aa = List.copyOf(ackedAt);
        List<int[]> pa = List.copyOf(inPartition);
        List<long[]> oa = List.copyOf(inOffset);
        return new View<>(sentCount) {
            @Override
            SentEvent at(int i) {
                int c = i >>> SHIFT;
                int j = i & MASK;
                long a = aa.get(c)[j];
                boolean ack = a != NONE;
                long o = oa.get(c)[j];
                return new SentEvent(i, id(i), key(i), instant(sa.get(c)[j]), ack ? instant(a) : null,
                        ack ? pa.get(c)[j] : null, ack && o != NONE ? o : null);
            }
        };
    }

    /** The arrivals so far, in the order they came. */
    public synchronized List<Observation> observations() {
        List<long[]> seqs = List.copyOf(obsSeq);
        List<long[]> ats = List.copyOf(obsAt);
        List<int[]> partitions = List.copyOf(obsPartition);
        List<long[]> offsets = List.copyOf(obsOffset);
        List<int[]> by = List.copyOf(obsProcessedBy);
        List<long[]> inputs = List.copyOf(obsInputOffset);
        Map<Integer, String> odd = Map.copyOf(oddIds);
        List<String> processedBy = List.copyOf(names);
        return new View<>(observedCount) {
            @Override
            Observation at(int i) {
                int c = i >>> SHIFT;
                int j = i & MASK;
                long seq = seqs.get(c)[j];
                int name = by.get(c)[j];
                long in = inputs.get(c)[j];
                return new Observation(seq < 0 ? odd.get(i) : id(seq), instant(ats.get(c)[j]), partitions.get(c)[j],
                        offsets.get(c)[j], name < 0 ? null : processedBy.get(name), in == NONE ? null : in);
            }
        };
    }

    /** True for the fixed, read-only lists {@link #sent()} and {@link #observations()} return. */
    static boolean isView(List<?> list) {
        return list instanceof View;
    }

    static long nanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** A fixed-size, read-only list whose elements are made when read. */
    private abstract static class View<T> extends AbstractList<T> implements RandomAccess {
        private final int size;

        View(int size) {
            this.size = size;
        }

        abstract T at(int i);

        @Override
        public T get(int i) {
            java.util.Objects.checkIndex(i, size);
            return at(i);
        }

        @Override
        public int size() {
            return size;
        }
    }
}

package io.faultline.verifier;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

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
 *
 * <p>{@link #fold} replaces the uneventful spans among the older canaries with {@link Stretch}
 * summaries ({@link Fold}) and frees their columns, a chunk at a time, so that a long run keeps
 * its recent canaries, the ones around faults and anomalies, and summaries of the rest. The views
 * then leave folded canaries and their results out; {@link #folded()} has the summaries.
 */
public final class CanaryLog {
    private static final int SHIFT = Columns.SHIFT;
    private static final int CHUNK = Columns.CHUNK;
    private static final int MASK = Columns.MASK;
    private static final long NONE = Long.MIN_VALUE;
    /** The input offset of a result that names none. */
    public static final long NO_INPUT_OFFSET = NONE;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final String idPrefix;
    private final int keys;
    private final List<String> keyNames;

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
    /** Acknowledged canaries that have not arrived yet. */
    private long pending;
    /** Per chunk of canaries sent and of arrivals: which are folded (a bit each), and how many. */
    private final List<long[]> sentFolded = new ArrayList<>();
    private final List<long[]> obsFolded = new ArrayList<>();
    private int[] sentFoldedCount = new int[0];
    private int[] obsFoldedCount = new int[0];
    private final List<Stretch> stretches = new ArrayList<>();
    private long foldedTotal;

    /**
     * @param idPrefix a canary's id is this followed by its sequence number
     * @param keys     canary {@code seq} has key {@code "k" + seq % keys}
     */
    public CanaryLog(String idPrefix, int keys) {
        this.idPrefix = idPrefix;
        this.keys = keys;
        this.keyNames = IntStream.range(0, keys).mapToObj(k -> "k" + k).toList();
    }

    public String id(long seq) {
        return idPrefix + seq;
    }

    public String key(long seq) {
        return keyNames.get((int) (seq % keys));
    }

    String idPrefix() {
        return idPrefix;
    }

    int keyCount() {
        return keys;
    }

    List<String> keyNames() {
        return keyNames;
    }

    /** Canary {@code seq} was sent; sequence numbers come in order, from 0. */
    public synchronized void sent(long seq, Instant at) {
        if (seq != sentCount) {
            throw new IllegalArgumentException("canary " + seq + " sent out of order (expected " + sentCount + ")");
        }
        if ((sentCount & MASK) == 0) {
            sentAt.add(new long[CHUNK]);
            long[] none = new long[CHUNK];
            Arrays.fill(none, NONE);
            ackedAt.add(none);
            inPartition.add(new int[CHUNK]);
            inOffset.add(new long[CHUNK]);
            sentFolded.add(new long[CHUNK / 64]);
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
        if (acked == null) {
            // Folded: acknowledged and observed long since.
            return;
        }
        if (acked[i & MASK] == NONE) {
            ackedCount++;
            if (!wasSeen(i)) {
                pending++;
            }
        }
        inPartition.get(i >>> SHIFT)[i & MASK] = partition;
        inOffset.get(i >>> SHIFT)[i & MASK] = offset == null ? NONE : offset;
        // Published last, with release: a view that reads the time without the lock (a fold, while
        // the run goes) sees the partition and offset written before it.
        LONGS.setRelease(acked, i & MASK, nanos(at));
    }

    /** A canary of this run came out: {@code id} at {@code offset} of output partition {@code partition}. */
    public synchronized void observed(String id, Instant at, int partition, long offset, String processedBy,
                                      Long inputOffset) {
        observed(seqOf(idPrefix, id), id, at, partition, offset, processedBy, inputOffset == null ? NONE : inputOffset);
    }

    /**
     * As above, for a result whose canary's sequence number was read from the record ({@code seq}),
     * or, when negative, whose id ({@code id}) is not one this run sent in its canonical spelling;
     * {@code inputOffset} is {@link #NO_INPUT_OFFSET} for none. Unboxed: it runs for every result.
     */
    public synchronized void observed(long seq, String id, Instant at, int partition, long offset,
                                      String processedBy, long inputOffset) {
        if ((observedCount & MASK) == 0) {
            obsSeq.add(new long[CHUNK]);
            obsAt.add(new long[CHUNK]);
            obsPartition.add(new int[CHUNK]);
            obsOffset.add(new long[CHUNK]);
            obsProcessedBy.add(new int[CHUNK]);
            obsInputOffset.add(new long[CHUNK]);
            obsFolded.add(new long[CHUNK / 64]);
        }
        int c = observedCount >>> SHIFT;
        int j = observedCount & MASK;
        if (seq >= sentCount) {
            // This run's prefix but a number never sent (RUN:2147483000): unexpected, and no
            // structure grows to its size.
            if (id == null) {
                id = idPrefix + seq;
            }
            seq = -1;
        }
        if (seq < 0) {
            seq = -1;
            oddIds.put(observedCount, shortened(id));
        } else if (!wasSeen((int) seq)) {
            markSeen((int) seq);
            if (seq < sentCount && ackedAt.get((int) seq >>> SHIFT) != null
                    && ackedAt.get((int) seq >>> SHIFT)[(int) seq & MASK] != NONE) {
                pending--;
            }
        }
        obsSeq.get(c)[j] = seq;
        obsAt.get(c)[j] = nanos(at);
        obsPartition.get(c)[j] = partition;
        obsOffset.get(c)[j] = offset;
        Integer name = processedBy == null ? null : nameIndex.get(processedBy);
        if (processedBy != null && name == null) { // no lambda: this runs for every result
            name = names.size();
            names.add(processedBy);
            nameIndex.put(processedBy, name);
        }
        obsProcessedBy.get(c)[j] = name == null ? -1 : name;
        obsInputOffset.get(c)[j] = inputOffset;
        observedCount++;
    }

    /** The longest id kept of an arrival that is no canary of this run: the rest is cut, and counted. */
    static final int MAX_ODD_ID = 200;

    /** {@code id} cut to {@link #MAX_ODD_ID} characters, saying how long it was; control characters removed. */
    static String shortened(String id) {
        String clean = (id.length() > MAX_ODD_ID ? id.substring(0, MAX_ODD_ID) : id).replaceAll("\\p{Cntrl}", "?");
        return id.length() > MAX_ODD_ID ? clean + "... (" + id.length() + " characters)" : clean;
    }

    /** The sequence number in {@code id}, or -1 when it is not {@code prefix} and a number as ids spell them. */
    public static long seqOf(String prefix, String id) {
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

    /** How many chunks the seen-set holds: it grows with the canaries sent, never with what comes out. */
    synchronized int seenChunks() {
        return seen.size();
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
        return pending;
    }

    /** The stretches folded so far, in sequence order. */
    public synchronized List<Stretch> folded() {
        return List.copyOf(stretches);
    }

    /** Canaries kept whole (not folded). */
    public synchronized long kept() {
        return sentCount - foldedTotal;
    }

    /**
     * Folds the uneventful spans of {@code width} among the canaries sent and seen before
     * {@code cutoff}, given the faults so far (see {@link Fold}); the work is done outside the
     * lock, so that sending and observing go on meanwhile. A result that arrives later for a
     * folded canary is kept whole, and judged against the stretch.
     *
     * @return how many canaries were folded
     */
    public long fold(List<FaultWindow> faults, Instant cutoff, Duration width, Duration interval) {
        List<SentEvent> sentNow;
        List<Observation> observedNow;
        synchronized (this) {
            sentNow = sent();
            observedNow = observations();
        }
        // The canaries kept whole are folded on their own (what was folded before is done with),
        // read once into the index's columns.
        Fold.Made folding = Fold.stretches(new CanaryIndex(sentNow, observedNow, List.of()), faults, cutoff, cutoff,
                width, interval);
        if (folding == null) {
            return 0;
        }
        List<Stretch> made = folding.stretches();
        long n = 0;
        synchronized (this) {
            for (Stretch s : made) {
                n += s.count();
                foldSent(s);
            }
            foldArrivals(made);
            foldedTotal += n;
            for (Stretch s : made) {
                int at = stretches.size();
                while (at > 0 && stretches.get(at - 1).firstSeq() > s.firstSeq()) {
                    at--;
                }
                stretches.add(at, s);
            }
        }
        return n;
    }

    private void foldSent(Stretch s) {
        for (long q = s.firstSeq(); q <= s.lastSeq(); q++) {
            int i = (int) q;
            int c = i >>> SHIFT;
            long[] bits = sentFolded.get(c);
            bits[(i & MASK) >>> 6] |= 1L << (i & 63);
            if (sentFoldedCount.length <= c) {
                sentFoldedCount = Arrays.copyOf(sentFoldedCount, Math.max(c + 1, sentFoldedCount.length * 2));
            }
            if (++sentFoldedCount[c] == CHUNK) {
                sentAt.set(c, null);
                ackedAt.set(c, null);
                inPartition.set(c, null);
                inOffset.set(c, null);
            }
        }
    }

    /** Marks the arrivals of the canaries in {@code made} folded: their first (and only) results. */
    private void foldArrivals(List<Stretch> made) {
        for (int c = 0; c < obsSeq.size(); c++) {
            long[] seqs = obsSeq.get(c);
            if (seqs == null) {
                continue;
            }
            int size = Math.min(CHUNK, observedCount - (c << SHIFT));
            long[] bits = obsFolded.get(c);
            for (int j = 0; j < size; j++) {
                long q = seqs[j];
                if ((bits[j >>> 6] & (1L << (j & 63))) != 0 || q < 0) {
                    continue;
                }
                for (Stretch s : made) {
                    if (s.holds(q)) {
                        bits[j >>> 6] |= 1L << (j & 63);
                        if (obsFoldedCount.length <= c) {
                            obsFoldedCount = Arrays.copyOf(obsFoldedCount,
                                    Math.max(c + 1, obsFoldedCount.length * 2));
                        }
                        if (++obsFoldedCount[c] == CHUNK) {
                            obsSeq.set(c, null);
                            obsAt.set(c, null);
                            obsPartition.set(c, null);
                            obsOffset.set(c, null);
                            obsProcessedBy.set(c, null);
                            obsInputOffset.set(c, null);
                        }
                        break;
                    }
                }
                if (obsSeq.get(c) == null) {
                    break;
                }
            }
        }
    }

    /** The canaries sent so far and not folded, in sequence order. */
    public synchronized List<SentEvent> sent() {
        return new CanaryViews.Sent(this, sentCount, Columns.snapshot(sentAt), Columns.snapshot(ackedAt), Columns.snapshot(inPartition),
                Columns.snapshot(inOffset), Columns.unfolded(sentFolded, sentAt, sentCount));
    }

    /** The arrivals so far, but those of folded canaries, in the order they came. */
    public synchronized List<Observation> observations() {
        return new CanaryViews.Arrivals(this, observedCount, Columns.snapshot(obsSeq), Columns.snapshot(obsAt), Columns.snapshot(obsPartition),
                Columns.snapshot(obsOffset), Columns.snapshot(obsProcessedBy), Columns.snapshot(obsInputOffset),
                Map.copyOf(oddIds), List.copyOf(names), Columns.unfolded(obsFolded, obsSeq, observedCount));
    }

    /** True for the fixed, read-only lists {@link #sent()} and {@link #observations()} return. */
    static boolean isView(List<?> list) {
        return list instanceof Columns.View;
    }

    static long nanos(Instant at) {
        return Columns.nanos(at);
    }

    static Instant instant(long nanos) {
        return Columns.instant(nanos);
    }
}

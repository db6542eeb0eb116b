package io.faultline.verifier;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * How the canary log keeps its columns: chunks of {@link #CHUNK} primitives, a bit per entry for
 * the folded ones, fixed read-only views over a snapshot of the chunk lists, and times as
 * nanoseconds since the epoch.
 */
final class Columns {
    static final int SHIFT = 10;
    static final int CHUNK = 1 << SHIFT;
    static final int MASK = CHUNK - 1;

    private Columns() {
    }

    /** The chunk list as it is now (a few references; freed chunks are null), so that reading needs no lock. */
    static <T> List<T> snapshot(List<T> chunks) {
        return Collections.unmodifiableList(new ArrayList<>(chunks));
    }

    /** The indexes of the entries not folded; null when none is (then every index is). */
    static int[] unfolded(List<long[]> folded, List<?> chunks, int size) {
        boolean any = false;
        for (int c = 0; c < chunks.size() && !any; c++) {
            if (chunks.get(c) == null) {
                any = true;
            } else {
                for (long w : folded.get(c)) {
                    any |= w != 0;
                }
            }
        }
        if (!any) {
            return null;
        }
        int[] out = new int[16];
        int n = 0;
        for (int c = 0; c < chunks.size(); c++) {
            if (chunks.get(c) == null) {
                continue;
            }
            long[] bits = folded.get(c);
            int end = Math.min(CHUNK, size - (c << SHIFT));
            for (int j = 0; j < end; j++) {
                if ((bits[j >>> 6] & (1L << (j & 63))) == 0) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = (c << SHIFT) | j;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    static long nanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** A fixed-size, read-only list whose elements are made when read. */
    abstract static class View<T> extends AbstractList<T> implements RandomAccess {
        private final int size;
        /** The index built over this view, kept for the next reader of the same history ({@link CanaryIndex#of}). */
        volatile CanaryIndex index;

        View(int size) {
            this.size = size;
        }

        abstract T at(int i);

        @Override
        public T get(int i) {
            Objects.checkIndex(i, size);
            return at(i);
        }

        @Override
        public int size() {
            return size;
        }
    }

    /**
     * A view of canaries sent that can be read as primitives, so that the index reads the log's
     * columns without making a record per canary.
     */
    interface Sent {
        /** The sequence number of the canary at {@code k}; the id is {@link #idPrefix()} and this number. */
        long seqAt(int k);

        long sentAtNanos(int k);

        /** The input partition of an acknowledged canary; -1 acknowledged without one, -2 not acknowledged. */
        int partitionCode(int k);

        /** The index in {@link #keyNames()} of the canary's key. */
        int keyIndex(int k);

        List<String> keyNames();

        String idPrefix();
    }

    /** A view of arrivals that can be read as primitives (see {@link Sent}). */
    interface Arrivals {
        /** The sequence number of the canary the arrival carries; -1 for an id that is none sent. */
        long seqAt(int k);

        long atNanos(int k);

        int partitionAt(int k);

        long offsetAt(int k);
    }
}

package io.faultline.verifier;

import java.util.Arrays;

/**
 * An exact multiset of whole milliseconds (latencies, gaps between completions): each distinct
 * value once with how often it occurred, so a million canaries a few milliseconds apart cost a
 * few dozen entries, and percentiles over it are the same as over the sorted values themselves.
 * Stored sorted by value; immutable.
 *
 * @param values distinct values, ascending
 * @param counts how often each occurred, each at least 1
 */
public record Counts(long[] values, long[] counts) {
    public static final Counts EMPTY = new Counts(new long[0], new long[0]);

    public Counts {
        values = values == null ? new long[0] : values.clone();
        counts = counts == null ? new long[0] : counts.clone();
        if (values.length != counts.length) {
            throw new IllegalArgumentException("counts: " + values.length + " values but " + counts.length + " counts");
        }
        for (int i = 0; i < values.length; i++) {
            if (counts[i] < 1 || (i > 0 && values[i] <= values[i - 1])) {
                throw new IllegalArgumentException("counts: values must ascend, each counted at least once");
            }
        }
    }

    public long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Counts c && Arrays.equals(values, c.values) && Arrays.equals(counts, c.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(values[i]).append('x').append(counts[i]);
        }
        return b.append('}').toString();
    }

    /** Collects values in any order and makes {@link Counts}. */
    public static final class Builder {
        /** Values below this are counted in an array indexed by value; the rest are sorted at the end. */
        private static final int DENSE = 1 << 16;
        private long[] dense = new long[64];
        private long[] sparse = new long[0];
        private int sparseSize;
        private long total;

        public Builder add(long value) {
            return add(value, 1);
        }

        public Builder add(long value, long times) {
            if (value < 0) {
                throw new IllegalArgumentException("counts: negative value " + value);
            }
            if (value < DENSE) {
                if (value >= dense.length) {
                    dense = Arrays.copyOf(dense, (int) Math.min(DENSE, Math.max(dense.length * 2L, value + 1)));
                }
                dense[(int) value] += times;
            } else {
                for (long k = 0; k < times; k++) {
                    if (sparseSize == sparse.length) {
                        sparse = Arrays.copyOf(sparse, Math.max(8, sparse.length * 2));
                    }
                    sparse[sparseSize++] = value;
                }
            }
            total += times;
            return this;
        }

        public Builder addAll(Counts c) {
            for (int i = 0; i < c.values.length; i++) {
                add(c.values[i], c.counts[i]);
            }
            return this;
        }

        public long total() {
            return total;
        }

        public boolean isEmpty() {
            return total == 0;
        }

        public Counts build() {
            Arrays.sort(sparse, 0, sparseSize);
            int distinct = 0;
            for (long c : dense) {
                distinct += c > 0 ? 1 : 0;
            }
            for (int i = 0; i < sparseSize; i++) {
                distinct += i == 0 || sparse[i] != sparse[i - 1] ? 1 : 0;
            }
            long[] values = new long[distinct];
            long[] counts = new long[distinct];
            int k = 0;
            for (int v = 0; v < dense.length; v++) {
                if (dense[v] > 0) {
                    values[k] = v;
                    counts[k++] = dense[v];
                }
            }
            for (int i = 0; i < sparseSize; i++) {
                if (i == 0 || sparse[i] != sparse[i - 1]) {
                    values[k] = sparse[i];
                    counts[k++] = 0;
                }
                counts[k - 1]++;
            }
            return new Counts(values, counts);
        }
    }

    /** The nearest-rank percentile ({@code q} in (0, 1]), as of the sorted values; null when empty. */
    public Long percentile(double q) {
        long n = total();
        if (n == 0) {
            return null;
        }
        long rank = Math.max(0, Math.min(n - 1, (long) Math.ceil(q * n) - 1));
        long seen = 0;
        for (int i = 0; i < values.length; i++) {
            seen += counts[i];
            if (rank < seen) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }
}

package io.faultline.verifier;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;

/**
 * The fixed-size views {@link CanaryLog#sent()} and {@link CanaryLog#observations()} return: the
 * columns as they were when the view was taken, read as {@link SentEvent} and {@link Observation}
 * records made on the fly, or column by column through {@link Columns.Sent} and
 * {@link Columns.Arrivals} without making a record.
 */
final class CanaryViews {
    private static final int SHIFT = Columns.SHIFT;
    private static final int MASK = Columns.MASK;
    private static final long NONE = Long.MIN_VALUE;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private CanaryViews() {
    }

    /** The canaries kept whole as records made when read, or as the columns themselves. */
    static final class Sent extends Columns.View<SentEvent> implements Columns.Sent {
        private final CanaryLog log;
        private final List<long[]> sentAt;
        private final List<long[]> ackedAt;
        private final List<int[]> partition;
        private final List<long[]> offset;
        /** The indexes of the canaries kept whole; null when every one is. */
        private final int[] kept;

        Sent(CanaryLog log, int count, List<long[]> sentAt, List<long[]> ackedAt, List<int[]> partition, List<long[]> offset, int[] kept) {
            super(kept == null ? count : kept.length);
            this.log = log;
            this.sentAt = sentAt;
            this.ackedAt = ackedAt;
            this.partition = partition;
            this.offset = offset;
            this.kept = kept;
        }

        private int index(int k) {
            return kept == null ? k : kept[k];
        }

        @Override
        SentEvent at(int k) {
            int i = index(k);
            int c = i >>> SHIFT;
            int j = i & MASK;
            long a = (long) LONGS.getAcquire(ackedAt.get(c), j);
            boolean ack = a != NONE;
            long o = offset.get(c)[j];
            return new SentEvent(i, log.id(i), log.key(i), Columns.instant(sentAt.get(c)[j]), ack ? Columns.instant(a) : null,
                    ack ? partition.get(c)[j] : null, ack && o != NONE ? o : null);
        }

        @Override
        public long seqAt(int k) {
            return index(k);
        }

        @Override
        public long sentAtNanos(int k) {
            int i = index(k);
            return sentAt.get(i >>> SHIFT)[i & MASK];
        }

        @Override
        public int partitionCode(int k) {
            int i = index(k);
            long a = (long) LONGS.getAcquire(ackedAt.get(i >>> SHIFT), i & MASK);
            return a == NONE ? -2 : partition.get(i >>> SHIFT)[i & MASK];
        }

        @Override
        public int keyIndex(int k) {
            return index(k) % log.keyCount();
        }

        @Override
        public List<String> keyNames() {
            return log.keyNames();
        }

        @Override
        public String idPrefix() {
            return log.idPrefix();
        }
    }

    /** The arrivals kept whole as records made when read, or as the columns themselves. */
    static final class Arrivals extends Columns.View<Observation> implements Columns.Arrivals {
        private final CanaryLog log;
        private final List<long[]> seqs;
        private final List<long[]> ats;
        private final List<int[]> partitions;
        private final List<long[]> offsets;
        private final List<int[]> by;
        private final List<long[]> inputs;
        private final Map<Integer, String> odd;
        private final List<String> processedBy;
        private final int[] kept;

        Arrivals(CanaryLog log, int count, List<long[]> seqs, List<long[]> ats, List<int[]> partitions, List<long[]> offsets, List<int[]> by,
                    List<long[]> inputs, Map<Integer, String> odd, List<String> processedBy, int[] kept) {
            super(kept == null ? count : kept.length);
            this.log = log;
            this.seqs = seqs;
            this.ats = ats;
            this.partitions = partitions;
            this.offsets = offsets;
            this.by = by;
            this.inputs = inputs;
            this.odd = odd;
            this.processedBy = processedBy;
            this.kept = kept;
        }

        private int index(int k) {
            return kept == null ? k : kept[k];
        }

        @Override
        Observation at(int k) {
            int i = index(k);
            int c = i >>> SHIFT;
            int j = i & MASK;
            long seq = seqs.get(c)[j];
            int name = by.get(c)[j];
            long in = inputs.get(c)[j];
            return new Observation(seq < 0 ? odd.get(i) : log.id(seq), Columns.instant(ats.get(c)[j]), partitions.get(c)[j],
                    offsets.get(c)[j], name < 0 ? null : processedBy.get(name), in == NONE ? null : in);
        }

        @Override
        public long seqAt(int k) {
            int i = index(k);
            return seqs.get(i >>> SHIFT)[i & MASK];
        }

        @Override
        public long atNanos(int k) {
            int i = index(k);
            return ats.get(i >>> SHIFT)[i & MASK];
        }

        @Override
        public int partitionAt(int k) {
            int i = index(k);
            return partitions.get(i >>> SHIFT)[i & MASK];
        }

        @Override
        public long offsetAt(int k) {
            int i = index(k);
            return offsets.get(i >>> SHIFT)[i & MASK];
        }
    }
}

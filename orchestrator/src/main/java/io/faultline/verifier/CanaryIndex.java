package io.faultline.verifier;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Lookups every check needs, built once per verification, in arrays over the canaries'
 * positions in {@code h.sent()} rather than maps of objects, so that verifying a long run
 * costs a few bytes per canary beyond the history itself. When ids are a run's prefix followed
 * by the sequence number and the sequence numbers are the positions (as the workload records
 * them), an id is found by reading its number; otherwise through a map.
 */
final class CanaryIndex {
    private static final long NONE = Long.MIN_VALUE;
    private final List<SentEvent> sent;
    /**
     * Every id is {@code prefix} and its sequence number, the numbers ascending (with gaps where
     * canaries were folded); null when not.
     */
    private final String prefix;
    /** With {@code prefix}: whether the sequence numbers are {@code seq[0] + position}, without gaps. */
    private final boolean contiguous;
    private final Map<String, Integer> positions;
    /** Per position, read once from the history: send time (ns since the epoch), sequence number, ... */
    private final long[] sentAt;
    private final long[] seq;
    /** ... input partition when acknowledged with one, -1 acknowledged without, -2 not acknowledged ... */
    private final int[] partition;
    /** ... and the key, as an index into {@code keys} (-1: none). */
    private final int[] key;
    private final List<String> keys;
    /** Positions in send-time order; null when that is position order (as the workload records). */
    private final int[] order;
    /** Per position: when the canary was first observed, in nanoseconds since the epoch; NONE if never. */
    private final long[] firstSeen;
    /** Per position: how often it came out, counted to 2 (all the classification needs). */
    private final byte[] times;
    /** Per arrival, read once from the history: the position of its canary (-1: none sent), when and where it came out. */
    private final int[] arrivalOf;
    private final long[] arrivedAt;
    private final int[] arrivalPartition;
    private final long[] arrivalOffset;
    private final List<Observation> observations;
    /** Canaries folded into summaries, in sequence (and send) order. */
    private final List<Stretch> folded;

    /**
     * The index of {@code h}'s canaries. Over a canary log's views it is built once and kept with
     * them, so that the verifier, the timeline and the anomalies of one history share it.
     */
    static CanaryIndex of(History h) {
        if (h.sent() instanceof Columns.View<?> view) {
            CanaryIndex kept = view.index;
            if (kept != null && kept.observations == h.observations() && kept.folded == h.folded()) {
                return kept;
            }
            CanaryIndex made = new CanaryIndex(h.sent(), h.observations(), h.folded());
            view.index = made;
            return made;
        }
        return new CanaryIndex(h.sent(), h.observations(), h.folded());
    }

    /**
     * Reads the canaries kept whole and their arrivals once into columns; {@code folded}: the
     * stretches beside them. A canary log's views are read as the log's own columns, without a
     * record per canary; other lists (hand-made histories) record by record.
     */
    CanaryIndex(List<SentEvent> sent, List<Observation> observations, List<Stretch> folded) {
        this.folded = folded;
        this.sent = sent;
        this.observations = observations;
        SentColumns columns = SentColumns.read(sent);
        int n = sent.size();
        sentAt = columns.sentAt;
        seq = columns.seq;
        partition = columns.partition;
        key = columns.key;
        keys = columns.keys;
        prefix = columns.prefix;
        boolean inSendOrder = true;
        for (int i = 1; i < n && inSendOrder; i++) {
            inSendOrder = sentAt[i] >= sentAt[i - 1];
        }
        contiguous = n == 0 || seq[n - 1] - seq[0] == n - 1;
        if (prefix == null) {
            positions = new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                positions.put(sent.get(i).id(), i);
            }
        } else {
            positions = null;
        }
        order = inSendOrder ? null : IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingLong(i -> sentAt[i])).mapToInt(Integer::intValue).toArray();
        firstSeen = new long[n];
        Arrays.fill(firstSeen, NONE);
        times = new byte[n];
        int m = observations.size();
        arrivalOf = new int[m];
        arrivedAt = new long[m];
        arrivalPartition = new int[m];
        arrivalOffset = new long[m];
        Columns.Arrivals arrivalColumns = observations instanceof Columns.Arrivals a && prefix != null ? a : null;
        for (int i = 0; i < m; i++) {
            int p;
            if (arrivalColumns != null) {
                long number = arrivalColumns.seqAt(i);
                p = number < 0 ? -1 : positionOf(number);
                arrivedAt[i] = arrivalColumns.atNanos(i);
                arrivalPartition[i] = arrivalColumns.partitionAt(i);
                arrivalOffset[i] = arrivalColumns.offsetAt(i);
            } else {
                Observation o = observations.get(i);
                p = position(o.id());
                arrivedAt[i] = nanos(o.observedAt());
                arrivalPartition[i] = o.partition();
                arrivalOffset[i] = o.offset();
            }
            arrivalOf[i] = p;
            long t = arrivedAt[i];
            if (p >= 0) {
                if (firstSeen[p] == NONE || t < firstSeen[p]) {
                    firstSeen[p] = t;
                }
                if (times[p] < 2) {
                    times[p]++;
                }
            }
        }
    }

    /** True when ids are the run's prefix and sequence number, one after another, sent in that order (as the workload records them). */
    boolean dense() {
        return prefix != null && order == null;
    }

    /** The folded stretch that holds the canary with this id, or null: a result of it is a late duplicate. */
    Stretch foldedWith(String id) {
        return Stretch.holding(folded, id);
    }

    /** The folded stretches, in send order. */
    List<Stretch> folded() {
        return folded;
    }

    /** Canaries sent, folded ones included. */
    long total() {
        long n = size();
        for (Stretch s : folded) {
            n += s.count();
        }
        return n;
    }

    /** The first send time, folded canaries included, in ns; only when {@link #total()} is not 0. */
    long firstSentNanos() {
        long first = Long.MAX_VALUE;
        if (size() > 0) {
            first = sentAt[inSendOrder(0)];
        }
        if (!folded.isEmpty()) {
            first = Math.min(first, nanos(folded.get(0).sentFrom()));
        }
        return first;
    }

    /** The last send time, folded canaries included, in ns; only when {@link #total()} is not 0. */
    long lastSentNanos() {
        long last = Long.MIN_VALUE;
        if (size() > 0) {
            last = sentAt[inSendOrder(size() - 1)];
        }
        if (!folded.isEmpty()) {
            last = Math.max(last, nanos(folded.get(folded.size() - 1).sentTo()));
        }
        return last;
    }

    /**
     * The completions of one stream, sorted: every arrival of a canary on {@code partition} (null:
     * every arrival at all, unexpected ones included), with the folded stretches' completions as blocks.
     */
    Completions completions(Integer partition) {
        long[] times = new long[arrivals()];
        int n = 0;
        for (int i = 0; i < arrivals(); i++) {
            int p = arrivalOf(i);
            if (partition == null || (p >= 0 ? partition.equals(partition(p)) : partition.equals(foldedPartition(i)))) {
                times[n++] = arrivedAt[i];
            }
        }
        List<Stretch.Flow> flows = new ArrayList<>();
        for (Stretch s : folded) {
            Stretch.Flow f = s.flow(partition);
            if (f != null) {
                flows.add(f);
            }
        }
        long[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return Completions.of(sorted, flows);
    }

    /** For arrival {@code i} of a folded canary (a late duplicate), its canary's input partition, if known. */
    private Integer foldedPartition(int i) {
        if (folded.isEmpty()) {
            return null;
        }
        String id = arrival(i).id();
        Stretch s = foldedWith(id);
        return s == null ? null : s.partitionOf(CanaryLog.seqOf(s.idPrefix(), id));
    }

    /** The input partitions canaries completed on, folded ones included, ascending. */
    SortedSet<Integer> completedPartitions() {
        SortedSet<Integer> out = new TreeSet<>();
        for (int i = 0; i < arrivals(); i++) {
            int p = arrivalOf(i);
            if (p >= 0 && partition(p) != null) {
                out.add(partition(p));
            }
        }
        for (Stretch s : folded) {
            s.flows().stream().map(Stretch.Flow::partition).filter(Objects::nonNull).forEach(out::add);
        }
        for (int i = 0; i < arrivals() && !folded.isEmpty(); i++) {
            Integer late = arrivalOf(i) < 0 ? foldedPartition(i) : null;
            if (late != null) {
                out.add(late);
            }
        }
        return out;
    }

    int arrivals() {
        return arrivedAt.length;
    }

    /** The position of the canary arrival {@code i} carries; -1 when no canary with its id was sent. */
    int arrivalOf(int i) {
        return arrivalOf[i];
    }

    long arrivedAtNanos(int i) {
        return arrivedAt[i];
    }

    /** Arrival {@code i} as the history has it (made on demand: for the few arrivals an anomaly needs). */
    Observation arrival(int i) {
        return observations.get(i);
    }

    /** How often the canary at {@code position} came out: 0, 1, or 2 for more than once. */
    int times(int position) {
        return times[position];
    }

    /** Arrival order on the output: by partition and offset; across partitions, by receive time. */
    boolean arrivedBefore(int a, int b) {
        if (arrivalPartition[a] == arrivalPartition[b]) {
            return arrivalOffset[a] < arrivalOffset[b];
        }
        return arrivedAt[a] < arrivedAt[b];
    }

    /** The position in {@code h.sent()} of the canary with this id, or -1 if none was sent. */
    int position(String id) {
        if (prefix == null) {
            Integer p = positions.get(id);
            return p == null ? -1 : p;
        }
        long number = CanaryLog.seqOf(prefix, id);
        return number < 0 ? -1 : positionOf(number);
    }

    /** With a {@code prefix}: the position of the canary with sequence number {@code number}, or -1. */
    private int positionOf(long number) {
        if (seq.length == 0) {
            return -1;
        }
        if (contiguous) {
            long n = number - seq[0];
            return n >= 0 && n < seq.length ? (int) n : -1;
        }
        int p = Arrays.binarySearch(seq, number);
        return p >= 0 ? p : -1;
    }

    int size() {
        return sent.size();
    }

    /** The canary at {@code position} of {@code h.sent()}, made from the history (prefer the columns below). */
    SentEvent sent(int position) {
        return sent.get(position);
    }

    /** The sent canary with this id, or null. */
    SentEvent byId(String id) {
        int p = position(id);
        return p < 0 ? null : sent.get(p);
    }

    /** Positions in sequence-number order (a stable sort, as of the sent list). */
    int[] bySeq() {
        int n = size();
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = seq[i] >= seq[i - 1];
        }
        return sorted ? IntStream.range(0, n).toArray()
                : IntStream.range(0, n).boxed().sorted(Comparator.comparingLong(i -> seq[i]))
                        .mapToInt(Integer::intValue).toArray();
    }

    /**
     * The position lookups by this canary's id land on: itself, unless two sent canaries share
     * an id (only possible in hand-made histories), when it is the last of them.
     */
    int canonical(int position) {
        return prefix != null ? position : position(sent.get(position).id());
    }

    /** The {@code k}-th canary in send-time order. */
    int inSendOrder(int k) {
        return order == null ? k : order[k];
    }

    long sentAtNanos(int position) {
        return sentAt[position];
    }

    Instant sentAt(int position) {
        return instant(sentAt[position]);
    }

    long seq(int position) {
        return seq[position];
    }

    boolean acknowledged(int position) {
        return partition[position] != -2;
    }

    /** The input partition of an acknowledged canary; null when unknown or not acknowledged. */
    Integer partition(int position) {
        return partition[position] < 0 ? null : partition[position];
    }

    String key(int position) {
        return key[position] < 0 ? null : keys.get(key[position]);
    }

    /** When the canary at {@code position} was first observed, in ns since the epoch; {@code Long.MIN_VALUE} if never. */
    long firstSeenNanos(int position) {
        return firstSeen[position];
    }

    /** When the canary at {@code position} was first observed; null if never. */
    Instant firstSeen(int position) {
        long t = firstSeen[position];
        return t == NONE ? null : instant(t);
    }

    /** When the sent canary with this id was first observed; null if never or never sent. */
    Instant firstSeen(String id) {
        int p = position(id);
        return p < 0 ? null : firstSeen(p);
    }

    boolean seen(int position) {
        return firstSeen[position] != NONE;
    }

    static long nanos(Instant at) {
        return CanaryLog.nanos(at);
    }

    static Instant instant(long nanos) {
        return CanaryLog.instant(nanos);
    }

    /** Whole milliseconds from {@code from} to {@code to} (ns), as {@code Duration.toMillis} counts them. */
    static long millis(long from, long to) {
        return Math.floorDiv(to - from, 1_000_000L);
    }
}

package io.faultline.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Folds the uneventful parts of a history into {@link Stretch}es, so that what a run keeps and
 * publishes grows with its faults and anomalies rather than with its length. The verifier judges
 * a folded history exactly as the whole one: only canaries nothing can be said about one by one
 * are folded, in spans of about a second of sending. A span is folded when every canary in it was
 * acknowledged and observed exactly once, in order per key, with a known input partition; its
 * sends and results lie clear of every fault (from {@link Verifier#LATENCY_BASELINE} and a second
 * before injection until its undo is known) and of the end of the run; its results came out after every result
 * of an earlier canary and before every result of a later one, with no other result in between.
 * Spans are cut where that holds, at least {@code width} apart.
 */
public final class Fold {
    /** Clearance before a fault's latency baseline, so that a span near it stays whole. */
    static final Duration MARGIN = Duration.ofSeconds(1);

    private Fold() {
    }

    /** {@code h} with its uneventful spans of {@code width} folded; {@code h} itself when nothing can be. */
    public static History fold(History h, Duration width) {
        if (!h.hasCanary() || h.sent().size() < 2) {
            return h;
        }
        CanaryIndex index = CanaryIndex.of(h);
        Made made = stretches(index, h.faults(), h.sendingStoppedAt(), h.observedUntil(), width, h.canaryInterval());
        if (made == null) {
            return h;
        }
        int n = index.size();
        int m = index.arrivals();
        List<Stretch> stretches = new ArrayList<>(h.folded());
        stretches.addAll(made.stretches());
        List<SentEvent> sent = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            if (!made.folded()[p]) {
                sent.add(index.sent(p));
            }
        }
        List<Observation> observations = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            int p = index.arrivalOf(i);
            if (p < 0 || !made.folded()[p]) {
                observations.add(index.arrival(i));
            }
        }
        return h.withFolded(sent, observations, stretches);
    }

    /** Stretches made of an index's canaries, and which of its positions they hold. */
    record Made(List<Stretch> stretches, boolean[] folded) {
    }

    /**
     * The stretches of {@code width} that the canaries of {@code index} fold into, clear of
     * {@code faults} and of the ends; null when none can be made. Reads the index's columns only,
     * so the canary log folds without building a history. {@code interval}: the canary interval,
     * from which the shortest gap that can count as an outage follows (see {@link #stretch}).
     */
    static Made stretches(CanaryIndex index, List<FaultWindow> faults, Instant sendingStoppedAt,
                          Instant observedUntil, Duration width, Duration interval) {
        if (index.size() < 2 || !index.dense() || sendingStoppedAt == null || observedUntil == null) {
            return null;
        }
        int n = index.size();
        int m = index.arrivals();
        // Where each canary came out (its only arrival, for the ones that may fold).
        int[] arrival = new int[n];
        Arrays.fill(arrival, -1);
        for (int i = 0; i < m; i++) {
            int p = index.arrivalOf(i);
            if (p >= 0) {
                arrival[p] = i;
            }
        }
        // Per arrival position: the highest sequence number and latest time of the arrivals before
        // it, the lowest and earliest of those from it on.
        long[] maxSeqBefore = new long[m + 1];
        long[] maxTimeBefore = new long[m + 1];
        maxSeqBefore[0] = Long.MIN_VALUE;
        maxTimeBefore[0] = Long.MIN_VALUE;
        for (int i = 0; i < m; i++) {
            int p = index.arrivalOf(i);
            maxSeqBefore[i + 1] = Math.max(maxSeqBefore[i], p >= 0 ? index.seq(p) : Long.MIN_VALUE);
            maxTimeBefore[i + 1] = Math.max(maxTimeBefore[i], index.arrivedAtNanos(i));
        }
        long[] minSeqFrom = new long[m + 1];
        long[] minTimeFrom = new long[m + 1];
        minSeqFrom[m] = Long.MAX_VALUE;
        minTimeFrom[m] = Long.MAX_VALUE;
        for (int i = m - 1; i >= 0; i--) {
            int p = index.arrivalOf(i);
            minSeqFrom[i] = Math.min(minSeqFrom[i + 1], p >= 0 ? index.seq(p) : Long.MAX_VALUE);
            minTimeFrom[i] = Math.min(minTimeFrom[i + 1], index.arrivedAtNanos(i));
        }
        List<long[]> guarded = guarded(faults, sendingStoppedAt, observedUntil);
        // The start of the run, where the steady state is looked for, stays whole.
        guarded.add(new long[] {Long.MIN_VALUE, index.sentAtNanos(0) + Phases.WARM_UP_SEARCH.toNanos()});
        long widthNs = width.toNanos();
        long start = index.sentAtNanos(0);

        // A cut after position b is clean when every result of the canaries up to b came out (in
        // order of processing and in time) before any result of a later one.
        long[] lastOut = new long[n];
        long[] lastOutAt = new long[n];
        long[] firstOut = new long[n];
        long[] firstOutAt = new long[n];
        Arrays.fill(lastOut, -1);
        Arrays.fill(lastOutAt, Long.MIN_VALUE);
        Arrays.fill(firstOut, Long.MAX_VALUE);
        Arrays.fill(firstOutAt, Long.MAX_VALUE);
        for (int i = 0; i < m; i++) {
            int p = index.arrivalOf(i);
            if (p >= 0) {
                lastOut[p] = Math.max(lastOut[p], i);
                lastOutAt[p] = Math.max(lastOutAt[p], index.arrivedAtNanos(i));
                firstOut[p] = Math.min(firstOut[p], i);
                firstOutAt[p] = Math.min(firstOutAt[p], index.arrivedAtNanos(i));
            }
        }
        boolean[] cleanAfter = new boolean[n];
        long minOut = Long.MAX_VALUE;
        long minOutAt = Long.MAX_VALUE;
        long[] minOutFrom = new long[n + 1];
        long[] minOutAtFrom = new long[n + 1];
        minOutFrom[n] = Long.MAX_VALUE;
        minOutAtFrom[n] = Long.MAX_VALUE;
        for (int p = n - 1; p >= 0; p--) {
            minOut = Math.min(minOut, firstOut[p]);
            minOutAt = Math.min(minOutAt, firstOutAt[p]);
            minOutFrom[p] = minOut;
            minOutAtFrom[p] = minOutAt;
        }
        long maxOut = -1;
        long maxOutAt = Long.MIN_VALUE;
        for (int p = 0; p < n; p++) {
            maxOut = Math.max(maxOut, lastOut[p]);
            maxOutAt = Math.max(maxOutAt, lastOutAt[p]);
            cleanAfter[p] = maxOut < minOutFrom[p + 1] && maxOutAt < minOutAtFrom[p + 1];
        }

        boolean[] folded = new boolean[n];
        List<Stretch> stretches = new ArrayList<>();
        int a = 0;
        while (a < n) {
            // From a clean cut, at least a span of width, to the next clean cut.
            long bucket = Math.floorDiv(index.sentAtNanos(a) - start, widthNs);
            int b = a;
            while (b + 1 < n && index.seq(b + 1) == index.seq(b) + 1
                    && (Math.floorDiv(index.sentAtNanos(b + 1) - start, widthNs) == bucket || !cleanAfter[b])) {
                b++;
            }
            Stretch s = b > a ? stretch(index, arrival, a, b, guarded, maxSeqBefore,
                    maxTimeBefore, minSeqFrom, minTimeFrom, interval.toNanos()) : null;
            if (s != null) {
                stretches.add(s);
                Arrays.fill(folded, a, b + 1, true);
            }
            a = b + 1;
        }
        return stretches.isEmpty() ? null : new Made(stretches, folded);
    }

    /** The spans of time no folded canary may be sent or seen in: around each fault, and the ends of the run. */
    private static List<long[]> guarded(List<FaultWindow> faults, Instant sendingStoppedAt, Instant observedUntil) {
        List<long[]> out = new ArrayList<>();
        for (FaultWindow w : faults) {
            // Until its undo is known, a fault is guarded for good: the heal may not have taken yet.
            long from = CanaryIndex.nanos(w.invokedAt().minus(LatencyAnalysis.LATENCY_BASELINE).minus(MARGIN));
            long to = w.undoneAt() == null ? Long.MAX_VALUE : Math.max(CanaryIndex.nanos(w.undoneAt()),
                    w.healInvokedAt() == null ? Long.MIN_VALUE : CanaryIndex.nanos(w.healInvokedAt()));
            out.add(new long[] {from, Math.max(to, CanaryIndex.nanos(w.invokedAt()))});
        }
        out.add(new long[] {CanaryIndex.nanos(sendingStoppedAt), Long.MAX_VALUE});
        out.add(new long[] {CanaryIndex.nanos(observedUntil), Long.MAX_VALUE});
        return out;
    }

    private static boolean clear(long from, long to, List<long[]> guarded) {
        for (long[] g : guarded) {
            if (from <= g[1] && to >= g[0]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The canaries at positions a..b as a stretch, or null when they may not be folded. A stretch
     * keeps only its widest gap per stream, so one with two gaps that could each be a stop (over
     * four canary intervals per partition, the lowest outage threshold) is not uneventful: it
     * stays whole, and the disruptions judged on a folded log are those judged on the whole one.
     */
    private static Stretch stretch(CanaryIndex index, int[] arrival, int a, int b, List<long[]> guarded,
                                   long[] maxSeqBefore, long[] maxTimeBefore,
                                   long[] minSeqFrom, long[] minTimeFrom, long intervalNs) {
        int count = b - a + 1;
        if (index.seq(b) - index.seq(a) != b - a) {
            return null;
        }
        int firstArrival = Integer.MAX_VALUE;
        int lastArrival = -1;
        for (int p = a; p <= b; p++) {
            if (index.times(p) != 1 || !index.acknowledged(p) || index.partition(p) == null || index.key(p) == null) {
                return null;
            }
            firstArrival = Math.min(firstArrival, arrival[p]);
            lastArrival = Math.max(lastArrival, arrival[p]);
        }
        // Their results, one after another with nothing else in between ...
        if (lastArrival - firstArrival + 1 != count) {
            return null;
        }
        // ... after every result of an earlier canary and before every result of a later one.
        if (maxSeqBefore[firstArrival] >= index.seq(a) || minSeqFrom[lastArrival + 1] <= index.seq(b)) {
            return null;
        }
        long sentFrom = index.sentAtNanos(a);
        long sentTo = index.sentAtNanos(b);
        long[] seen = new long[count];
        for (int p = a; p <= b; p++) {
            seen[p - a] = index.firstSeenNanos(p);
        }
        long[] sortedSeen = seen.clone();
        Arrays.sort(sortedSeen);
        long seenFrom = sortedSeen[0];
        long seenTo = sortedSeen[count - 1];
        if (maxTimeBefore[firstArrival] >= seenFrom || minTimeFrom[lastArrival + 1] <= seenTo) {
            return null;
        }
        if ((a > 0 && index.sentAtNanos(a - 1) >= sentFrom) || (b + 1 < index.size() && index.sentAtNanos(b + 1) <= sentTo)) {
            return null;
        }
        if (!clear(sentFrom, sentTo, guarded) || !clear(seenFrom, seenTo, guarded)) {
            return null;
        }
        // In order per key, in the order the results came out.
        Map<String, Long> lastOfKey = new HashMap<>();
        for (int i = firstArrival; i <= lastArrival; i++) {
            int p = index.arrivalOf(i);
            Long before = lastOfKey.put(index.key(p), index.seq(p));
            if (before != null && before > index.seq(p)) {
                return null;
            }
        }
        List<Stretch.Flow> flows = new ArrayList<>();
        Stretch.Flow all = flow(null, sortedSeen, 4 * intervalNs);
        if (all == null) {
            return null;
        }
        flows.add(all);
        Map<Integer, List<Long>> byPartition = new TreeMap<>();
        for (int p = a; p <= b; p++) {
            byPartition.computeIfAbsent(index.partition(p), k -> new ArrayList<>()).add(seen[p - a]);
        }
        for (Map.Entry<Integer, List<Long>> e : byPartition.entrySet()) {
            long[] times = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            Stretch.Flow one = flow(e.getKey(), times, 4 * intervalNs * byPartition.size());
            if (one == null) {
                return null;
            }
            flows.add(one);
        }
        return build(index, a, b, seen, sortedSeen, flows);
    }

    private static Stretch build(CanaryIndex index, int a, int b, long[] seen, long[] sortedSeen, List<Stretch.Flow> flows) {
        int count = b - a + 1;
        long[] ms = new long[count];
        Counts.Builder latency = new Counts.Builder();
        for (int p = a; p <= b; p++) {
            ms[p - a] = Math.max(0, CanaryIndex.millis(index.sentAtNanos(p), seen[p - a]));
            latency.add(ms[p - a]);
        }
        List<Stretch.Slow> bySend = new ArrayList<>();
        long slowest = -1;
        for (int k = count - 1; k >= 0; k--) {
            if (ms[k] > slowest) {
                slowest = ms[k];
                Instant next = k + 1 < count ? CanaryIndex.instant(index.sentAtNanos(a + k + 1)) : null;
                bySend.add(new Stretch.Slow(CanaryIndex.instant(index.sentAtNanos(a + k)), ms[k], next));
            }
        }
        Collections.reverse(bySend);
        Integer[] bySeenOrder = new Integer[count];
        for (int k = 0; k < count; k++) {
            bySeenOrder[k] = k;
        }
        Arrays.sort(bySeenOrder, (x, y) -> Long.compare(seen[x], seen[y]));
        List<Stretch.Slow> bySeen = new ArrayList<>();
        slowest = -1;
        for (int k = count - 1; k >= 0; k--) {
            int c = bySeenOrder[k];
            if (ms[c] > slowest) {
                slowest = ms[c];
                bySeen.add(new Stretch.Slow(CanaryIndex.instant(seen[c]), ms[c], null));
            }
        }
        Collections.reverse(bySeen);
        Set<String> keys = new TreeSet<>();
        for (int p = a; p <= b; p++) {
            keys.add(index.key(p));
        }
        // The shortest cycle the input partitions follow, up to 64 canaries long.
        List<Integer> cycle = List.of();
        for (int period = 1; period <= Math.min(64, count); period++) {
            boolean holds = true;
            for (int p = a + period; p <= b && holds; p++) {
                holds = index.partition(p).equals(index.partition(p - period));
            }
            if (holds) {
                List<Integer> c = new ArrayList<>();
                for (int p = a; p < a + period; p++) {
                    c.add(index.partition(p));
                }
                cycle = c;
                break;
            }
        }
        String id = index.sent(a).id();
        String prefix = id.substring(0, id.length() - Long.toString(index.seq(a)).length());
        return new Stretch(prefix, index.seq(a), count, List.copyOf(keys), cycle, CanaryIndex.instant(index.sentAtNanos(a)),
                CanaryIndex.instant(index.sentAtNanos(b)), CanaryIndex.instant(sortedSeen[0]),
                CanaryIndex.instant(sortedSeen[count - 1]), latency.build(), bySend, bySeen, flows);
    }

    /**
     * The completions {@code times} (sorted) of one stream as a flow: count, ends, widest gap (the
     * first of them), every gap wider than {@code floorNs} and all gaps; null when more than
     * {@link Stretch#MAX_WIDE} are that wide.
     */
    private static Stretch.Flow flow(Integer partition, long[] times, long floorNs) {
        Counts.Builder gaps = new Counts.Builder();
        List<Stretch.Gap> wide = new ArrayList<>();
        long widest = -1;
        int at = 0;
        for (int i = 1; i < times.length; i++) {
            long gap = CanaryIndex.millis(times[i - 1], times[i]);
            gaps.add(gap);
            if (gap > widest) {
                widest = gap;
                at = i;
            }
            if (times[i] - times[i - 1] > floorNs) {
                if (wide.size() == Stretch.MAX_WIDE) {
                    return null;
                }
                wide.add(new Stretch.Gap(CanaryIndex.instant(times[i - 1]), CanaryIndex.instant(times[i]), gap));
            }
        }
        return new Stretch.Flow(partition, times.length, CanaryIndex.instant(times[0]),
                CanaryIndex.instant(times[times.length - 1]), Math.max(0, widest),
                at == 0 ? null : CanaryIndex.instant(times[at - 1]), at == 0 ? null : CanaryIndex.instant(times[at]),
                gaps.build(), wide);
    }
}

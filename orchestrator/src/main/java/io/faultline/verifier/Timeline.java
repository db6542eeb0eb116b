package io.faultline.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Canary throughput and latency per time bucket, for the report's picture: from the first send
 * to the end of observation, on the orchestrator's clock.
 *
 * @param start    the first canary's send time
 * @param bucketMs width of one bucket
 */
public record Timeline(Instant start, long bucketMs, List<Bucket> buckets, List<AlertWindow> alerts,
                       List<Mark> marks) {
    /** An alert firing from {@code from} until {@code to} (null: still firing when the run ended). */
    public record AlertWindow(String alertname, Instant from, Instant to) {
    }

    /** A canary with an anomaly ({@code lost}, {@code duplicated}, {@code unseen}), where it was sent. */
    public record Mark(String kind, Instant sentAt) {
    }

    /** The most anomaly marks a picture carries. */
    static final int MAX_MARKS = 2000;

    public Timeline {
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        marks = marks == null ? List.of() : List.copyOf(marks);
    }

    public Timeline(Instant start, long bucketMs, List<Bucket> buckets, List<AlertWindow> alerts) {
        this(start, bucketMs, buckets, alerts, List.of());
    }

    /**
     * @param completed  canaries first observed in this bucket
     * @param latencyP50 median send-to-observed latency of those, ms; null if none
     * @param latencyMax the slowest of those, ms; null if none
     */
    public record Bucket(long offsetMs, int sent, int completed, Long latencyP50, Long latencyMax) {
    }

    /** Bucket width for a run observed for {@code length}: 250 ms, wider for runs over ten minutes (at most 2,400 buckets). */
    public static Duration bucketFor(Duration length) {
        long ms = length.toMillis();
        return ms <= 600_000 ? Duration.ofMillis(250) : Duration.ofSeconds((ms + 2_399_999) / 2_400_000);
    }

    /** The run in buckets sized by {@link #bucketFor} its length. */
    public static Timeline of(History h) {
        Instant first = h.firstSentAt();
        return of(h, bucketFor(first == null || h.observedUntil() == null ? Duration.ZERO
                : Duration.between(first, h.observedUntil())));
    }

    /**
     * The run in buckets of {@code bucket}. A folded stretch's canaries are spread evenly over the
     * buckets its sends (and its results) span, and its latencies count in each of those buckets:
     * a picture's resolution, not a verdict's.
     */
    public static Timeline of(History h, Duration bucket) {
        if (h.sentCount() == 0) {
            return new Timeline(h.observedUntil(), bucket.toMillis(), List.of(), alertWindows(h));
        }
        CanaryIndex index = CanaryIndex.of(h);
        Instant start = CanaryIndex.instant(index.firstSentNanos());
        long width = bucket.toMillis();
        int n = (int) (Duration.between(start, h.observedUntil()).toMillis() / width) + 1;
        long[] sent = new long[n];
        long[] completed = new long[n];
        // Each first observation as (bucket << 32 | latency ms), sorted: a bucket's latencies are then a run.
        long[] seen = new long[index.size()];
        int m = 0;
        for (int p = 0; p < index.size(); p++) {
            sent[index(start, index.sentAt(p), width, n)]++;
            Instant at = index.firstSeen(p);
            if (at != null) {
                long ms = Math.max(0, Math.min(Integer.MAX_VALUE,
                        CanaryIndex.millis(index.sentAtNanos(p), index.firstSeenNanos(p))));
                seen[m++] = ((long) index(start, at, width, n) << 32) | ms;
                completed[index(start, at, width, n)]++;
            }
        }
        Arrays.sort(seen, 0, m);
        List<List<Stretch>> folded = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            folded.add(null);
        }
        for (Stretch s : index.folded()) {
            spread(s.count(), index(start, s.sentFrom(), width, n), index(start, s.sentTo(), width, n), sent);
            int from = index(start, s.seenFrom(), width, n);
            int to = index(start, s.seenTo(), width, n);
            spread(s.count(), from, to, completed);
            for (int i = from; i <= to; i++) {
                if (folded.get(i) == null) {
                    folded.set(i, new ArrayList<>());
                }
                folded.get(i).add(s);
            }
        }
        List<Bucket> out = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < n; i++) {
            Counts.Builder latencies = new Counts.Builder();
            while (k < m && (seen[k] >>> 32) == i) {
                latencies.add(seen[k++] & 0xFFFFFFFFL);
            }
            if (folded.get(i) != null) {
                folded.get(i).forEach(s -> latencies.addAll(s.latency()));
            }
            Counts l = latencies.build();
            out.add(new Bucket(i * width, (int) sent[i], (int) completed[i], l.percentile(0.5), l.percentile(1.0)));
        }
        return new Timeline(start, width, out, alertWindows(h), marks(h, index));
    }

    /** Where the lost, duplicated and unseen canaries were sent, at most {@link #MAX_MARKS}. */
    private static List<Mark> marks(History h, CanaryIndex index) {
        DeliveryAnalysis.Anomalies a = DeliveryAnalysis.anomalies(h, index);
        List<Mark> out = new ArrayList<>();
        for (String kind : List.of("lost", "duplicated", "unseen")) {
            List<String> ids = kind.equals("lost") ? a.lost() : kind.equals("duplicated") ? a.duplicated() : a.unseen();
            for (String id : ids) {
                if (out.size() >= MAX_MARKS) {
                    return out;
                }
                int p = index.position(id);
                if (p >= 0) {
                    out.add(new Mark(kind, index.sentAt(p)));
                }
            }
        }
        return out;
    }

    /** Adds {@code count} to {@code buckets[from..to]}, evenly, the remainder to the first ones. */
    private static void spread(long count, int from, int to, long[] buckets) {
        int span = to - from + 1;
        for (int i = 0; i < span; i++) {
            buckets[from + i] += count / span + (i < count % span ? 1 : 0);
        }
    }

    static List<AlertWindow> alertWindows(History h) {
        List<AlertWindow> out = new ArrayList<>();
        Map<String, Instant> open = new HashMap<>();
        h.alerts().stream().sorted(Comparator.comparing(History.AlertChange::at)).forEach(a -> {
            if (a.firing()) {
                open.putIfAbsent(a.alertname(), a.at());
            } else if (open.containsKey(a.alertname())) {
                out.add(new AlertWindow(a.alertname(), open.remove(a.alertname()), a.at()));
            }
        });
        open.forEach((name, from) -> out.add(new AlertWindow(name, from, null)));
        return out;
    }

    private static int index(Instant start, Instant at, long width, int n) {
        long i = Duration.between(start, at).toMillis() / width;
        return (int) Math.max(0, Math.min(n - 1, i));
    }
}

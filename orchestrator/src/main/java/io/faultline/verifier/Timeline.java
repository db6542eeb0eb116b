package io.faultline.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
public record Timeline(Instant start, long bucketMs, List<Bucket> buckets, List<AlertWindow> alerts) {
    /** An alert firing from {@code from} until {@code to} (null: still firing when the run ended). */
    public record AlertWindow(String alertname, Instant from, Instant to) {
    }

    public Timeline {
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
    }

    /**
     * @param completed  canaries first observed in this bucket
     * @param latencyP50 median send-to-observed latency of those, ms; null if none
     * @param latencyMax the slowest of those, ms; null if none
     */
    public record Bucket(long offsetMs, int sent, int completed, Long latencyP50, Long latencyMax) {
    }

    public static Timeline of(History h, Duration bucket) {
        if (h.sent().isEmpty()) {
            return new Timeline(h.observedUntil(), bucket.toMillis(), List.of(), alertWindows(h));
        }
        CanaryIndex index = new CanaryIndex(h);
        Instant start = index.sentAt(index.inSendOrder(0));
        long width = bucket.toMillis();
        int n = (int) (Duration.between(start, h.observedUntil()).toMillis() / width) + 1;
        int[] sent = new int[n];
        List<List<Long>> latencies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            latencies.add(new ArrayList<>());
        }
        for (int p = 0; p < index.size(); p++) {
            Instant sentAt = index.sentAt(p);
            sent[index(start, sentAt, width, n)]++;
            Instant at = index.firstSeen(p);
            if (at != null) {
                latencies.get(index(start, at, width, n)).add(Math.max(0, CanaryIndex.millis(index.sentAtNanos(p),
                        index.firstSeenNanos(p))));
            }
        }
        List<Bucket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Long> l = latencies.get(i);
            out.add(new Bucket(i * width, sent[i], l.size(), l.isEmpty() ? null : Verifier.percentile(l, 0.5),
                    l.isEmpty() ? null : Verifier.percentile(l, 1.0)));
        }
        return new Timeline(start, width, out, alertWindows(h));
    }

    static List<AlertWindow> alertWindows(History h) {
        List<AlertWindow> out = new ArrayList<>();
        Map<String, Instant> open = new HashMap<>();
        h.alerts().stream().sorted(java.util.Comparator.comparing(History.AlertChange::at)).forEach(a -> {
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

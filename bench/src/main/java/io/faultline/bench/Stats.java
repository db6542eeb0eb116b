package io.faultline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Percentiles of a sample of durations, in milliseconds. */
record Stats(int n, double p50, double p99, double p999, double max, double mean) {
    static Stats ofNanos(List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        s.sort(null);
        if (s.isEmpty()) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = s.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
        return new Stats(s.size(), at(s, 0.50), at(s, 0.99), at(s, 0.999), s.get(s.size() - 1) / 1e6, mean);
    }

    private static double at(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    String row(String name) {
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |", name, n, p50, p99, p999, max);
    }

    static String header() {
        return "| measurement | n | p50 ms | p99 ms | p99.9 ms | max ms |\n|---|---|---|---|---|---|";
    }

    static String ratio(double ours, double peer) {
        return String.format(Locale.ROOT, "%.2fx", ours / peer);
    }
}

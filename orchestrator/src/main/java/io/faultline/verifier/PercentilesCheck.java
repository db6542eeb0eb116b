package io.faultline.verifier;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.CheckResult;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Canary latency percentiles (p50, p95, p99, max) against the scenario's limits: over the whole
 * run in every run ({@code percentiles[run]}, measured only when no limit is set), and per phase
 * ({@code percentiles[before]}, {@code percentiles[during F]}, {@code percentiles[after F]}) where
 * the scenario sets limits for that phase.
 */
final class PercentilesCheck implements Check {
    static final String NAME = "percentiles";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        List<CheckResult> out = new ArrayList<>();
        ChecksSpec.LatencyLimits limits = a.spec().latency();
        long minimum = minimum(a.history());
        if (a.run() != null) {
            out.add(judge(a.run(), limits == null ? null : limits.run(), minimum));
        }
        if (limits == null) {
            return out;
        }
        for (CanaryStats.Phase p : a.phases()) {
            ChecksSpec.Percentiles l = p.name().equals(Phases.BEFORE) ? limits.before()
                    : p.name().startsWith("during ") ? limits.during() : limits.after();
            if (l != null) {
                out.add(judge(p, l, minimum));
            }
        }
        return out;
    }

    /**
     * The fewest completed canaries a phase needs for its percentiles to be judged: 100, or as
     * many as the canary sends in {@link #MIN_SPAN} when that is fewer (a slow canary).
     */
    static long minimum(History h) {
        if (h.canaryInterval() == null || h.canaryInterval().isZero()) {
            return MIN_CANARIES;
        }
        return Math.max(1, Math.min(MIN_CANARIES, MIN_SPAN.toNanos() / h.canaryInterval().toNanos()));
    }

    static final long MIN_CANARIES = 100;
    static final Duration MIN_SPAN = Duration.ofSeconds(5);

    static CheckResult judge(CanaryStats.Phase p, ChecksSpec.Percentiles limits, long minimum) {
        String name = CheckNames.perFault(NAME, p.name());
        if (limits != null && p.completed() > 0 && p.completed() < minimum) {
            return new CheckResult(name, Outcome.SKIP, (double) p.completed(), (double) minimum, "canaries",
                    "not judged: " + p.completed() + " of the " + p.sent() + " canaries sent " + where(p)
                            + " completed, fewer than the " + minimum + " a percentile needs"
                            + " (p99 " + p.p99Ms() + " ms, max " + p.maxMs() + " ms)", List.of());
        }
        if (p.completed() == 0) {
            return new CheckResult(name, limits == null ? Outcome.PASS : Outcome.FAIL, null,
                    limits == null ? null : (double) firstLimit(limits).toMillis(), "ms",
                    "none of the " + p.sent() + " canaries sent " + where(p) + " completed", List.of());
        }
        String figures = "p50/p95/p99/max " + p.p50Ms() + "/" + p.p95Ms() + "/" + p.p99Ms() + "/" + p.maxMs()
                + " ms over " + p.completed() + " canaries sent " + where(p);
        if (limits == null) {
            return new CheckResult(name, Outcome.PASS, (double) p.p99Ms(), null, "ms", figures, List.of());
        }
        String[] names = {"p50", "p95", "p99", "max"};
        Duration[] limit = {limits.p50(), limits.p95(), limits.p99(), limits.max()};
        long[] value = {p.p50Ms(), p.p95Ms(), p.p99Ms(), p.maxMs()};
        List<String> over = new ArrayList<>();
        int worst = -1;
        double worstRatio = -1;
        for (int i = 0; i < names.length; i++) {
            if (limit[i] == null) {
                continue;
            }
            double ratio = value[i] / (double) Math.max(1, limit[i].toMillis());
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
            if (value[i] > limit[i].toMillis()) {
                over.add(names[i] + " " + value[i] + " ms > " + limit[i].toMillis() + " ms");
            }
        }
        String limitsText = "limits " + String.join(", ", IntStream.range(0, names.length)
                .filter(i -> limit[i] != null).mapToObj(i -> names[i] + " " + limit[i].toMillis() + " ms").toList());
        return new CheckResult(name, over.isEmpty() ? Outcome.PASS : Outcome.FAIL, (double) value[worst],
                (double) limit[worst].toMillis(), "ms", figures + (over.isEmpty() ? "; within " + limitsText
                        : "; over the limit: " + String.join(", ", over)), List.of());
    }

    private static Duration firstLimit(ChecksSpec.Percentiles l) {
        return l.p50() != null ? l.p50() : l.p95() != null ? l.p95() : l.p99() != null ? l.p99() : l.max();
    }

    private static String where(CanaryStats.Phase p) {
        return switch (p.name()) {
            case Phases.RUN -> "in the run";
            case Phases.BEFORE -> "before the first fault";
            default -> p.name().startsWith("during ") ? "while " + p.name().substring(7) + " was held"
                    : "after " + p.name().substring(6) + " was healed";
        };
    }
}

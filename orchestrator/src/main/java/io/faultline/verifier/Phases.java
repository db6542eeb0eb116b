package io.faultline.verifier;

import io.faultline.protocol.CanaryStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts a run into phases by canary send time and works out each one's latency percentiles and
 * throughput: {@code before} (from the steady state, see {@link #steadySince}, to the first
 * fault), {@code during F} (while
 * fault F is held: from its injection to its heal), {@code after F} (from its heal to the next
 * fault, or to the end of sending). A fault injected on several agents by one step is named
 * {@code F on AGENT}.
 */
final class Phases {
    static final String RUN = "run";
    static final String BEFORE = "before";

    private Phases() {
    }

    static String during(String fault) {
        return "during " + fault;
    }

    static String after(String fault) {
        return "after " + fault;
    }

    /** The name a fault window goes by in phases and per-fault checks. */
    static String label(FaultWindow w, List<FaultWindow> all) {
        long same = all.stream().filter(o -> o.name().equals(w.name())).count();
        return same > 1 ? w.name() + " on " + w.agentId() : w.name();
    }

    /** When a fault stopped being held: its undo, else its heal, else {@code fallback}. */
    static Instant healedAt(FaultWindow w, Instant fallback) {
        return w.undoneAt() != null ? w.undoneAt() : w.healInvokedAt() != null ? w.healInvokedAt() : fallback;
    }

    /** The whole run as one phase; null when nothing was sent. */
    static CanaryStats.Phase run(History h, CanaryIndex index) {
        if (index.total() == 0) {
            return null;
        }
        return phase(RUN, CanaryIndex.instant(index.firstSentNanos()), end(h, index), index);
    }

    /** The run's phases in time order; empty phases are left out. */
    static List<CanaryStats.Phase> of(History h, List<FaultWindow> windows, CanaryIndex index) {
        if (index.total() == 0) {
            return List.of();
        }
        Instant start = CanaryIndex.instant(index.firstSentNanos());
        Instant end = end(h, index);
        List<FaultWindow> ordered = windows.stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        List<CanaryStats.Phase> out = new ArrayList<>();
        Instant firstFault = ordered.isEmpty() ? end : ordered.get(0).invokedAt();
        add(out, BEFORE, steadySince(index, start, firstFault), firstFault, index);
        for (int i = 0; i < ordered.size(); i++) {
            FaultWindow w = ordered.get(i);
            Instant next = i + 1 < ordered.size() ? ordered.get(i + 1).invokedAt() : end;
            Instant healed = healedAt(w, end);
            String label = label(w, ordered);
            add(out, during(label), w.invokedAt(), healed, index);
            add(out, after(label), healed, next, index);
        }
        return out;
    }

    /**
     * When the steady state that {@code before} judges begins: once the canary round trip is
     * stable, not at the first canary (clients connecting, the service warming up). Within the
     * first {@link #WARM_UP_SEARCH} of the run, and at most half way to the first fault, the first
     * second (by send time) in which every canary completed within the warm-up bound: max(2 x,
     * + 100 ms) the median latency of the canaries sent in that span. The first canary's send time
     * when no second qualifies, or when the span holds fewer than two seconds.
     */
    static Instant steadySince(CanaryIndex index, Instant start, Instant firstFault) {
        long from = CanaryIndex.nanos(start);
        long span = Math.min(CanaryIndex.nanos(firstFault) - from, WARM_UP_SEARCH.toNanos());
        long window = WARM_UP_WINDOW.toNanos();
        if (span < 2 * window) {
            return start;
        }
        Counts.Builder all = new Counts.Builder();
        for (int p = 0; p < index.size() && index.sentAtNanos(p) < from + span; p++) {
            if (index.seen(p)) {
                all.add(Math.max(0, CanaryIndex.millis(index.sentAtNanos(p), index.firstSeenNanos(p))));
            }
        }
        Long median = all.build().percentile(0.50);
        if (median == null) {
            return start;
        }
        long bound = Math.max(2 * median, median + 100);
        for (long w = from; w < from + span / 2; w += window) {
            boolean stable = true;
            boolean any = false;
            for (int p = 0; p < index.size() && index.sentAtNanos(p) < w + window; p++) {
                long sentAt = index.sentAtNanos(p);
                if (sentAt < w) {
                    continue;
                }
                any = true;
                if (!index.seen(p) || CanaryIndex.millis(sentAt, index.firstSeenNanos(p)) > bound) {
                    stable = false;
                    break;
                }
            }
            if (any && stable) {
                return CanaryIndex.instant(w);
            }
        }
        return start;
    }

    /** How far into the run the warm-up is looked for; {@link Fold} keeps this span whole. */
    static final Duration WARM_UP_SEARCH = Duration.ofSeconds(10);
    static final Duration WARM_UP_WINDOW = Duration.ofSeconds(1);

    private static void add(List<CanaryStats.Phase> out, String name, Instant from, Instant to, CanaryIndex index) {
        if (from.isBefore(to)) {
            CanaryStats.Phase p = phase(name, from, to, index);
            // A phase no canary was sent in (a heal at the very end) has nothing to say.
            if (p.sent() > 0) {
                out.add(p);
            }
        }
    }

    private static Instant end(History h, CanaryIndex index) {
        Instant last = CanaryIndex.instant(index.lastSentNanos()).plusNanos(1);
        return h.sendingStoppedAt() != null && h.sendingStoppedAt().isAfter(last) ? h.sendingStoppedAt() : last;
    }

    /**
     * One phase: the canaries sent in [from, to), and the completions observed in it. A folded
     * stretch counts in the phase its first canary was sent in, its completions in the phase of
     * its first result (the fold keeps stretches clear of phase boundaries).
     */
    static CanaryStats.Phase phase(String name, Instant from, Instant to, CanaryIndex index) {
        long fromNs = CanaryIndex.nanos(from);
        long toNs = CanaryIndex.nanos(to);
        Counts.Builder latencies = new Counts.Builder();
        long count = 0;
        long completions = 0;
        for (int p = 0; p < index.size(); p++) {
            long sentAt = index.sentAtNanos(p);
            long seenAt = index.firstSeenNanos(p);
            boolean seen = index.seen(p);
            if (sentAt >= fromNs && sentAt < toNs) {
                count++;
                if (seen) {
                    latencies.add(Math.max(0, CanaryIndex.millis(sentAt, seenAt)));
                }
            }
            if (seen && seenAt >= fromNs && seenAt < toNs) {
                completions++;
            }
        }
        for (Stretch s : index.folded()) {
            long sentAt = CanaryIndex.nanos(s.sentFrom());
            long seenAt = CanaryIndex.nanos(s.seenFrom());
            if (sentAt >= fromNs && sentAt < toNs) {
                count += s.count();
                latencies.addAll(s.latency());
            }
            if (seenAt >= fromNs && seenAt < toNs) {
                completions += s.count();
            }
        }
        double seconds = Duration.between(from, to).toNanos() / 1e9;
        double throughput = seconds <= 0 ? 0 : Math.round(completions / seconds * 10) / 10.0;
        Counts l = latencies.build();
        return new CanaryStats.Phase(name, from, to, count, l.total(), l.percentile(0.50), l.percentile(0.95),
                l.percentile(0.99), l.percentile(1.0), throughput);
    }
}

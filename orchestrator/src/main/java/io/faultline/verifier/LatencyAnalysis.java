package io.faultline.verifier;

import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Latency analysis: per fault, latency before, during and after it, and when it recovered. */
final class LatencyAnalysis {
    /** Latency before a fault is judged over this window just before it, clear of start-up backlog. */
    static final Duration LATENCY_BASELINE = Duration.ofSeconds(3);
    private static final long NONE = Long.MIN_VALUE;

    private LatencyAnalysis() {
    }

    /**
     * Latency before (the {@link #LATENCY_BASELINE} before injection), during and after one fault,
     * from the first observation of each canary.
     */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h, CanaryIndex index) {
        return latency(f, windowEnd, h, index, null);
    }

    /**
     * As above, with the baseline taken only from canaries sent at or after {@code steadySince}
     * (when not null). A folded stretch counts in the span its first canary was sent in.
     */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h, CanaryIndex index, Instant steadySince) {
        Instant healAt = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt() != null ? f.healInvokedAt() : windowEnd;
        long invoked = CanaryIndex.nanos(f.invokedAt());
        long baseFrom = CanaryIndex.nanos(f.invokedAt().minus(LATENCY_BASELINE));
        long steady = steadySince == null ? Long.MIN_VALUE : CanaryIndex.nanos(steadySince);
        long heal = CanaryIndex.nanos(healAt);
        long end = CanaryIndex.nanos(windowEnd);
        Counts.Builder before = new Counts.Builder();
        Counts.Builder during = new Counts.Builder();
        Counts.Builder after = new Counts.Builder();
        // The canaries sent after heal, in send order: when each was sent and how long it took.
        long[] afterSent = new long[16];
        long[] afterMs = new long[16];
        int afterN = 0;
        for (int k = 0; k < index.size(); k++) {
            int p = index.inSendOrder(k);
            if (!index.seen(p)) {
                continue;
            }
            long sentAt = index.sentAtNanos(p);
            long ms = Math.max(0, CanaryIndex.millis(sentAt, index.firstSeenNanos(p)));
            if (sentAt < invoked) {
                if (sentAt >= baseFrom && sentAt >= steady) {
                    before.add(ms);
                }
            } else if (sentAt < heal) {
                during.add(ms);
            } else if (sentAt < end) {
                after.add(ms);
                if (afterN == afterSent.length) {
                    afterSent = Arrays.copyOf(afterSent, afterN * 2);
                    afterMs = Arrays.copyOf(afterMs, afterN * 2);
                }
                afterSent[afterN] = sentAt;
                afterMs[afterN++] = ms;
            }
        }
        List<Stretch> afterFolded = new ArrayList<>();
        for (Stretch s : index.folded()) {
            long sentAt = CanaryIndex.nanos(s.sentFrom());
            if (sentAt < invoked) {
                if (sentAt >= baseFrom && sentAt >= steady) {
                    before.addAll(s.latency());
                }
            } else if (sentAt < heal) {
                during.addAll(s.latency());
            } else if (sentAt < end) {
                after.addAll(s.latency());
                afterFolded.add(s);
            }
        }
        if (before.total() < 10) {
            return null;
        }
        Counts base = before.build();
        long baseP99 = base.percentile(0.99);
        // p95, not p99: a couple of slow canaries in a short baseline must not hide the impact.
        long baseP95 = base.percentile(0.95);
        long bound = Math.max(2 * baseP95, baseP95 + 100);
        Long recoveredAfter = after.isEmpty() ? null
                : recoveredAfter(afterSent, afterMs, afterN, afterFolded, bound, heal);
        Counts held = during.build();
        return new FaultRecord.Latency(base.percentile(0.5), baseP99, held.percentile(0.5), held.percentile(0.99),
                held.percentile(1.0), after.build().percentile(0.99), bound, recoveredAfter);
    }

    /**
     * From heal until the canary sent after the last one slower than {@code bound}, in ms; 0 when
     * none was slower, null when the last canary sent was: latency had not recovered. Reads the
     * canaries sent after heal and the folded stretches among them, both in send order.
     */
    private static Long recoveredAfter(long[] sent, long[] ms, int n, List<Stretch> folded, long bound, long heal) {
        int i = n - 1;
        int j = folded.size() - 1;
        long following = NONE;
        while (i >= 0 || j >= 0) {
            if (j >= 0 && (i < 0 || CanaryIndex.nanos(folded.get(j).sentFrom()) > sent[i])) {
                Stretch s = folded.get(j--);
                // The last canary over the bound is slower than every canary sent after it.
                Stretch.Slow last = null;
                for (Stretch.Slow slow : s.slowBySend()) {
                    if (slow.ms() > bound) {
                        last = slow;
                    }
                }
                if (last != null) {
                    long next = last.next() != null ? CanaryIndex.nanos(last.next()) : following;
                    return next == NONE ? null : CanaryIndex.millis(heal, next);
                }
                following = CanaryIndex.nanos(s.sentFrom());
            } else {
                if (ms[i] > bound) {
                    return following == NONE ? null : CanaryIndex.millis(heal, following);
                }
                following = sent[i--];
            }
        }
        return 0L;
    }

}

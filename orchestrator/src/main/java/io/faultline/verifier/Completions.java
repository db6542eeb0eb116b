package io.faultline.verifier;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream's completion times, sorted, in which a folded stretch stands as a block: its first
 * and last completion, with its gaps summarised between them. The gap before time {@code i} is
 * either the time between two completions, or (when a block ends at {@code i}) the widest gap
 * inside the block; failover and the outage threshold read gaps only through here.
 */
final class Completions {
    private final long[] times;
    /** {@code inside[i]}: the block whose first completion is {@code times[i - 1]} and last {@code times[i]}; mostly null. */
    private final Stretch.Flow[] inside;

    private Completions(long[] times, Stretch.Flow[] inside) {
        this.times = times;
        this.inside = inside;
    }

    /** @param detail completion times in ns, sorted; @param blocks folded streams, in time order */
    static Completions of(long[] detail, List<Stretch.Flow> blocks) {
        if (blocks.isEmpty()) {
            return new Completions(detail, new Stretch.Flow[detail.length]);
        }
        List<Long> times = new ArrayList<>(detail.length + 2 * blocks.size());
        List<Stretch.Flow> inside = new ArrayList<>(times.size());
        int d = 0;
        for (Stretch.Flow b : blocks) {
            long first = CanaryLog.nanos(b.first());
            while (d < detail.length && detail[d] < first) {
                times.add(detail[d++]);
                inside.add(null);
            }
            times.add(first);
            inside.add(null);
            if (b.count() > 1) {
                times.add(CanaryLog.nanos(b.last()));
                inside.add(b);
            }
        }
        while (d < detail.length) {
            times.add(detail[d++]);
            inside.add(null);
        }
        return new Completions(times.stream().mapToLong(Long::longValue).toArray(),
                inside.toArray(new Stretch.Flow[0]));
    }

    int size() {
        return times.length;
    }

    boolean isEmpty() {
        return times.length == 0;
    }

    long time(int i) {
        return times[i];
    }

    long last() {
        return times[times.length - 1];
    }

    /** The widest gap ending at completion {@code i} (i at least 1), whole milliseconds. */
    long gapMs(int i) {
        return inside[i] != null ? inside[i].maxGapMs() : CanaryIndex.millis(times[i - 1], times[i]);
    }

    Instant gapFrom(int i) {
        return inside[i] != null ? inside[i].maxGapFrom() : CanaryIndex.instant(times[i - 1]);
    }

    Instant gapTo(int i) {
        return inside[i] != null ? inside[i].maxGapTo() : CanaryIndex.instant(times[i]);
    }

    /**
     * The gaps ending at completion {@code i} that are wider than {@code thresholdMs}: the one
     * between two completions, or those inside a folded block (it keeps every gap that wide).
     */
    List<Stretch.Gap> gapsOver(int i, long thresholdMs) {
        if (inside[i] == null) {
            long gap = CanaryIndex.millis(times[i - 1], times[i]);
            return gap > thresholdMs ? List.of(new Stretch.Gap(CanaryIndex.instant(times[i - 1]),
                    CanaryIndex.instant(times[i]), gap)) : List.of();
        }
        return inside[i].wide().stream().filter(g -> g.ms() > thresholdMs).toList();
    }

    /** Every gap between consecutive completions that ends before {@code before} (ns), whole milliseconds. */
    Counts gapsBefore(long before) {
        Counts.Builder out = new Counts.Builder();
        for (int i = 1; i < times.length && times[i] < before; i++) {
            if (inside[i] != null) {
                out.addAll(inside[i].gaps());
            } else {
                out.add(Math.max(0, CanaryIndex.millis(times[i - 1], times[i])));
            }
        }
        return out.build();
    }
}

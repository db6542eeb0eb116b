package io.faultline.workload;

import java.util.Map;
import java.util.TreeMap;

/**
 * The offsets acknowledged on one partition, kept as ranges: a run's canaries arrive at mostly
 * consecutive offsets, so millions cost a few entries. What the read-back counts for canaries
 * folded away, whose own records are no longer kept.
 */
final class OffsetRanges {
    /** From offset to last offset, inclusive; never overlapping, never adjacent. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    /** Acknowledgements of an offset already held: each one a canary the log gave up for another. */
    private long again;

    synchronized void add(long offset) {
        Map.Entry<Long, Long> before = ranges.floorEntry(offset);
        if (before != null && offset <= before.getValue()) {
            again++;
            return;
        }
        long from = offset;
        long to = offset;
        if (before != null && before.getValue() == offset - 1) {
            from = before.getKey();
        }
        Long after = ranges.containsKey(offset + 1) ? ranges.remove(offset + 1) : null;
        if (after != null) {
            to = after;
        }
        ranges.put(from, to);
    }

    /** How many offsets held lie outside {@code [start, end)}: gone from a log that now spans only that. */
    synchronized long outside(long start, long end) {
        long n = 0;
        for (Map.Entry<Long, Long> r : ranges.entrySet()) {
            long from = r.getKey();
            long to = r.getValue();
            long count = to - from + 1;
            long inFrom = Math.max(from, start);
            long inTo = Math.min(to, end - 1);
            n += count - Math.max(0, inTo - inFrom + 1);
        }
        return n;
    }

    /**
     * How many acknowledgements named an offset acknowledged before: after an unclean election or
     * another truncation the log hands the same offsets out again, and each repeat means the
     * canary acknowledged there first is no longer in the log.
     */
    synchronized long again() {
        return again;
    }

    synchronized long size() {
        return ranges.entrySet().stream().mapToLong(r -> r.getValue() - r.getKey() + 1).sum();
    }
}

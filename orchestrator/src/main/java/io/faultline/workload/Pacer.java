package io.faultline.workload;

/**
 * Keeps the canary at its target rate on a coarse tick: at each tick, as many canaries as the rate
 * owes since the start. When the producer stalls (a full buffer, a slow broker) it owes more than
 * a tenth of a second's worth; it then sends that much and counts the rest as missed rather than
 * bursting to catch up, so canary send times stay even and falling behind is reported, not hidden.
 * Pure: the caller gives the time.
 */
final class Pacer {
    private final double rate;
    private final long maxBurst;
    private long origin = Long.MIN_VALUE;
    private long sent;
    private long missed;

    /** @param rate canaries per second */
    Pacer(double rate) {
        this.rate = rate;
        this.maxBurst = Math.max(1, (long) Math.ceil(rate / 10));
    }

    /** How many to send at {@code nanos} (any monotonic clock); call {@link #sent(long)} after sending them. */
    long due(long nanos) {
        if (origin == Long.MIN_VALUE) {
            origin = nanos;
        }
        long owed = (long) Math.floor((nanos - origin) / 1e9 * rate) + 1 - sent - missed;
        if (owed > maxBurst) {
            missed += owed - maxBurst;
            owed = maxBurst;
        }
        return Math.max(0, owed);
    }

    void sent(long n) {
        sent += n;
    }

    /** Canaries the target rate asked for that the producer could not send in time. */
    long missed() {
        return missed;
    }
}

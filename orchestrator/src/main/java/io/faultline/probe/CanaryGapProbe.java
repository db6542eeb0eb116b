package io.faultline.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Canary traffic must keep completing end to end: no gap longer than {@code maxGap}. */
public final class CanaryGapProbe implements Probe {
    private final Supplier<Instant> lastCompletion;
    private final Duration maxGap;
    private final Clock clock;

    /** {@code lastCompletion} gives when the last canary completed end to end, null before the first. */
    public CanaryGapProbe(Supplier<Instant> lastCompletion, Duration maxGap, Clock clock) {
        this.lastCompletion = lastCompletion;
        this.maxGap = maxGap;
        this.clock = clock;
    }

    @Override
    public String describe() {
        return "a canary completes at least every " + maxGap.toMillis() + " ms";
    }

    @Override
    public Sample sample() {
        Instant last = lastCompletion.get();
        if (last == null) {
            return Sample.failed("no canary has completed yet");
        }
        long gap = Duration.between(last, clock.instant()).toMillis();
        String seen = "last canary completed " + gap + " ms ago";
        return gap <= maxGap.toMillis() ? Sample.ok(seen) : Sample.failed(seen + " (limit " + maxGap.toMillis() + " ms)");
    }
}

package io.faultline.probe;

import io.faultline.workload.CanaryWorkload;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Canary traffic must keep completing end to end: no gap longer than {@code maxGap}. */
public final class CanaryGapProbe implements Probe {
    private final CanaryWorkload canary;
    private final Duration maxGap;
    private final Clock clock;

    public CanaryGapProbe(CanaryWorkload canary, Duration maxGap, Clock clock) {
        this.canary = canary;
        this.maxGap = maxGap;
        this.clock = clock;
    }

    @Override
    public String describe() {
        return "a canary completes at least every " + maxGap.toMillis() + " ms";
    }

    @Override
    public Sample sample() {
        Instant last = canary.lastCompletion();
        if (last == null) {
            return Sample.failed("no canary has completed yet");
        }
        long gap = Duration.between(last, clock.instant()).toMillis();
        String seen = "last canary completed " + gap + " ms ago";
        return gap <= maxGap.toMillis() ? Sample.ok(seen) : Sample.failed(seen + " (limit " + maxGap.toMillis() + " ms)");
    }
}

package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.probe.CanaryGapProbe;
import io.faultline.probe.Probe;
import io.faultline.scenario.StopCondition;
import io.faultline.time.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Stop conditions on time driven by hand: sampled at their interval, tripping after their run of failures. */
@SuppressWarnings("try") // the monitor samples by being open
class StopConditionMonitorTest {
    private final ManualScheduler time = new ManualScheduler();
    private final Abort abort = new Abort(time);

    private static StopCondition gap(Duration maxGap, Duration interval, int failures) {
        return new StopCondition("canary-flows", null, new StopCondition.CanaryProbeSpec(maxGap), null, null,
                interval, failures);
    }

    private static Probe probe(Supplier<Probe.Sample> samples) {
        return new Probe() {
            @Override
            public String describe() {
                return "scripted";
            }

            @Override
            public Sample sample() {
                return samples.get();
            }
        };
    }

    @Test
    void aCanaryGapTripsTheAbortOnItsThirdFailedSampleAndNotBefore() {
        AtomicReference<Instant> lastCompletion = new AtomicReference<>(time.clock().instant());
        StopCondition condition = gap(Duration.ofSeconds(2), Duration.ofSeconds(1), 3);
        Probe probe = new CanaryGapProbe(lastCompletion::get, condition.canary().maxGap(), time.clock());
        try (StopConditionMonitor monitor = new StopConditionMonitor(time, Map.of(condition, probe), abort)) {
            // Canaries complete for ten seconds: no sample fails.
            for (int i = 0; i < 10; i++) {
                time.advance(Duration.ofSeconds(1));
                lastCompletion.set(time.clock().instant());
            }
            assertThat(abort.tripped()).isFalse();
            // Then they stop. Samples at +1 s and +2 s see a gap within 2 s; +3 s is the first failure.
            time.advance(Duration.ofSeconds(4));
            assertThat(abort.tripped()).as("two failed samples of three").isFalse();
            time.advance(Duration.ofSeconds(1));
            assertThat(abort.tripped()).as("the third failed sample").isTrue();
            assertThat(abort.reason()).startsWith("stop condition 'canary-flows' tripped: last canary completed 5000 ms ago")
                    .contains("limit 2000 ms");
        }
    }

    @Test
    void aGoodSampleResetsTheRunOfFailures() {
        Deque<Boolean> outcomes = new ArrayDeque<>(List.of(false, false, true, false, false, true));
        Probe probe = probe(() -> outcomes.isEmpty() || outcomes.poll() ? Probe.Sample.ok("fine")
                : Probe.Sample.failed("down"));
        StopCondition condition = gap(Duration.ofSeconds(1), Duration.ofMillis(500), 3);
        try (StopConditionMonitor monitor = new StopConditionMonitor(time, Map.of(condition, probe), abort)) {
            time.advance(Duration.ofSeconds(10));
            assertThat(outcomes).isEmpty();
            assertThat(abort.tripped()).isFalse();
        }
    }

    @Test
    void closingStopsTheSampling() {
        int[] samples = new int[1];
        Probe probe = probe(() -> {
            samples[0]++;
            return Probe.Sample.failed("down");
        });
        StopCondition condition = gap(Duration.ofSeconds(1), Duration.ofSeconds(1), 5);
        StopConditionMonitor monitor = new StopConditionMonitor(time, Map.of(condition, probe), abort);
        time.advance(Duration.ofSeconds(3));
        monitor.close();
        time.advance(Duration.ofMinutes(1));
        assertThat(samples[0]).isEqualTo(3);
        assertThat(abort.tripped()).isFalse();
    }
}

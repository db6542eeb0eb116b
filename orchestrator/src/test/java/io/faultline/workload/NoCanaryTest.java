package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The workload of a scenario without a canary goes through a run's whole life doing nothing. */
class NoCanaryTest {
    @Test
    void startsDrainsAndClosesWithNothingToCount() throws Exception {
        Instant t = Instant.parse("2026-11-25T10:00:00Z");
        try (CanaryWorkload none = CanaryWorkload.none("smoke-1", Clock.fixed(t, ZoneOffset.UTC))) {
            none.start();
            assertThat(none.active()).isFalse();
            none.stopProducing();
            assertThat(none.drain(Duration.ofSeconds(1))).isTrue();
            assertThat(none.sendingStoppedAt()).isEqualTo(t);
            assertThat(none.sentCount()).isZero();
            assertThat(none.observedCount()).isZero();
            assertThat(none.missed()).isZero();
            assertThat(none.sent()).isEmpty();
            assertThat(none.observations()).isEmpty();
            assertThat(none.lastCompletion()).isNull();
        }
    }
}

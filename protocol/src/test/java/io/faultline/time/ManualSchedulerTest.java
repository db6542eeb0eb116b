package io.faultline.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
    @Test
    void runsTasksInDueOrderAtTheirOwnTimes() {
        ManualScheduler s = new ManualScheduler();
        Instant t0 = s.clock().instant();
        List<String> seen = new ArrayList<>();
        s.schedule(Duration.ofSeconds(2), () -> seen.add("b@" + Duration.between(t0, s.clock().instant()).toSeconds()));
        s.schedule(Duration.ofSeconds(1), () -> seen.add("a@" + Duration.between(t0, s.clock().instant()).toSeconds()));
        s.advance(Duration.ofMillis(999));
        assertThat(seen).isEmpty();
        s.advance(Duration.ofSeconds(5));
        assertThat(seen).containsExactly("a@1", "b@2");
        assertThat(s.clock().instant()).isEqualTo(t0.plusSeconds(5).plusMillis(999));
    }

    @Test
    void periodicTasksRepeatUntilCancelled() {
        ManualScheduler s = new ManualScheduler();
        List<Instant> runs = new ArrayList<>();
        Scheduler.Cancellable c = s.scheduleAtFixedRate(Duration.ZERO, Duration.ofSeconds(1), () -> runs.add(s.clock().instant()));
        s.advance(Duration.ofSeconds(3));
        assertThat(runs).hasSize(4);
        c.cancel();
        s.advance(Duration.ofSeconds(10));
        assertThat(runs).hasSize(4);
        assertThat(s.pending()).isZero();
    }

    @Test
    void aTaskScheduledByATaskRunsInTheSameAdvanceWhenDue() {
        ManualScheduler s = new ManualScheduler();
        List<String> seen = new ArrayList<>();
        s.schedule(Duration.ofSeconds(1), () -> s.schedule(Duration.ofSeconds(1), () -> seen.add("second")));
        s.advance(Duration.ofSeconds(2));
        assertThat(seen).containsExactly("second");
    }
}

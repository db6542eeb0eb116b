package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.RenewCommand;
import io.faultline.time.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Renewals on time driven by hand: every third of the lease, until the fault is released. */
class LeaseRenewerTest {
    private final ManualScheduler time = new ManualScheduler();
    private final List<RenewCommand> sent = new CopyOnWriteArrayList<>();
    private final LeaseRenewer renewer = new LeaseRenewer(time, "run-1", sent::add);

    @Test
    void renewsEveryThirdOfTheLeaseUntilReleased() {
        renewer.hold("run-1.kill.a-1", "a-1", Duration.ofSeconds(3));
        time.advance(Duration.ofMillis(999));
        assertThat(sent).isEmpty();
        time.advance(Duration.ofMillis(1));
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.faultCommandId()).isEqualTo("run-1.kill.a-1");
            assertThat(r.target().recordKey()).isEqualTo("a-1");
            assertThat(r.lease()).isEqualTo(Duration.ofSeconds(3));
            // A renewal that arrives after the next one is due is useless: it expires then.
            assertThat(Duration.between(r.issuedAt(), r.notAfter())).isEqualTo(Duration.ofSeconds(1));
        });
        time.advance(Duration.ofSeconds(9));
        assertThat(sent).hasSize(10);
        assertThat(sent).extracting(RenewCommand::commandId).doesNotHaveDuplicates();
        renewer.release("run-1.kill.a-1");
        time.advance(Duration.ofMinutes(1));
        assertThat(sent).hasSize(10);
    }

    @Test
    void aShortLeaseIsRenewedNoMoreOftenThanTheMinimumPeriod() {
        renewer.hold("f", "a-1", Duration.ofMillis(150));
        time.advance(Duration.ofSeconds(1));
        assertThat(sent).hasSize(10);
    }

    @Test
    void closeStopsEveryRenewal() {
        renewer.hold("f1", "a-1", Duration.ofSeconds(3));
        renewer.hold("f2", "a-2", Duration.ofSeconds(6));
        renewer.close();
        time.advance(Duration.ofMinutes(1));
        assertThat(sent).isEmpty();
        assertThat(time.pending()).isZero();
    }
}

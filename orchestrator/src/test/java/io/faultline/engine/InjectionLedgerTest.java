package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.verifier.FaultWindow;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The ledger yields the windows the verifier judges and tells the run what is left to heal. */
class InjectionLedgerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void windowsCarryEveryTimeTheRunRecorded() {
        InjectionLedger ledger = new InjectionLedger();
        var a = ledger.applied("kill", "r.kill.a-1", "a-1", "process.kill", T0, Duration.ofSeconds(30),
                T0.plusMillis(40));
        var b = ledger.applied("kill", "r.kill.a-2", "a-2", "process.kill", T0, Duration.ofSeconds(30),
                T0.plusMillis(55));
        ledger.applied("cut", "r.cut.a-1", "a-1", "network.partition", T0.plusSeconds(1), Duration.ofSeconds(30),
                T0.plusMillis(1_020));
        assertThat(ledger.unhealed("kill")).containsExactly(a, b);
        ledger.healSent(a, T0.plusSeconds(5));
        ledger.undone(a, T0.plusMillis(5_030));
        assertThat(ledger.unhealed("kill")).containsExactly(b);
        assertThat(ledger.unhealed()).extracting(i -> i.commandId).containsExactly("r.kill.a-2", "r.cut.a-1");
        FaultWindow w = ledger.windows().get(0);
        assertThat(w.commandId()).isEqualTo("r.kill.a-1");
        assertThat(w.invokedAt()).isEqualTo(T0);
        assertThat(w.appliedAt()).isEqualTo(T0.plusMillis(40));
        assertThat(w.healInvokedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(w.undoneAt()).isEqualTo(T0.plusMillis(5_030));
        assertThat(ledger.windows().get(1).healInvokedAt()).isNull();
    }
}

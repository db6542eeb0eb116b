package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Latency analysis: before, during and after a fault, and when it recovered. */
class LatencyAnalysisTest extends VerifierFixture {

    @Test
    void reportsLatencyImpactAndRecoveryAfterHeal() {
        Instant invoked = T0.plusSeconds(10);
        Instant healed = T0.plusSeconds(15);
        History h = slowedHistory(1200, invoked, healed, healed.plusSeconds(3));
        Verifier.Result r = Verifier.verify(h, new ChecksSpec(null, 0L, 0L, Duration.ofSeconds(5), null));
        FaultRecord.Latency l = r.faults().get(0).latency();
        assertThat(l.baselineP99Ms()).isEqualTo(200);
        assertThat(l.duringP99Ms()).isEqualTo(1200);
        assertThat(l.boundMs()).isEqualTo(400);
        // The first fast canary after heal was sent 3 s (minus the 5 ms until undo) after it.
        assertThat(l.recoveredAfterMs()).isEqualTo(2995);
        assertThat(check(r, "latency[pause-redis]").passed()).isTrue();

        Verifier.Result strict = Verifier.verify(h, new ChecksSpec(null, 0L, 0L, Duration.ofSeconds(1), null));
        assertThat(check(strict, "latency[pause-redis]").passed()).as("recovery slower than the limit").isFalse();
    }

    @Test
    void latencyThatNeverComesBackFails() {
        Instant invoked = T0.plusSeconds(10);
        History h = slowedHistory(1200, invoked, T0.plusSeconds(15), T0.plusSeconds(60));
        CheckResult c = check(Verifier.verify(h, ChecksSpec.DEFAULTS), "latency[pause-redis]");
        assertThat(c.passed()).isFalse();
        assertThat(c.summary()).contains("still above 400 ms");
    }
}

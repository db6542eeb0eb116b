package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The canary's pacing on a clock the test moves by hand. */
class PacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void sendsWhatTheRateOwesAtEachTickAndNothingMore() {
        Pacer p = new Pacer(10_000);
        long total = 0;
        for (long t = 0; t <= 1000 * MS; t += MS) {
            long n = p.due(t);
            p.sent(n);
            total += n;
        }
        // One at t=0, then 10 per millisecond for a second.
        assertThat(total).isEqualTo(10_001);
        assertThat(p.missed()).isZero();
    }

    @Test
    void aSlowRateSendsOneEveryInterval() {
        Pacer p = new Pacer(50);
        assertThat(p.due(0)).isEqualTo(1);
        p.sent(1);
        assertThat(p.due(19 * MS)).isZero();
        assertThat(p.due(20 * MS)).isEqualTo(1);
    }

    @Test
    void aStalledProducerIsCountedBehindInsteadOfBurstingToCatchUp() {
        Pacer p = new Pacer(1_000);
        p.sent(p.due(0));
        // The sending thread was stuck for 2 s: 2000 owed; it sends 100 (a tenth of a second's worth).
        long n = p.due(2_000 * MS);
        assertThat(n).isEqualTo(100);
        p.sent(n);
        assertThat(p.missed()).isEqualTo(1_900);
        // Then it is back on pace, one per millisecond.
        assertThat(p.due(2_001 * MS)).isEqualTo(1);
    }
}

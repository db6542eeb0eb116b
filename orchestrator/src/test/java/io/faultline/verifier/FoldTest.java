package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class FoldTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(10);

    /**
     * A gap long after the fault was healed, inside a span that is folded: the fault's outage is
     * that gap (the widest in its window), and its recovery falls inside the stretch. The slow
     * canaries came out before the recovery, so nothing over the bound came after it: caught up at
     * once, folded or not.
     */
    @Test
    void aDisruptionInsideAStretchIsJudgedAsOnTheWholeLog() {
        List<SentEvent> sent = new ArrayList<>();
        List<Observation> out = new ArrayList<>();
        for (int seq = 0; seq < 3000; seq++) {
            // Sending pauses for 300 ms at 20.2 s; the two canaries before the pause are slow
            // (150 ms), and still come out before the next one: a 180 ms gap, then all is normal.
            long sentAt = seq * 10L + (seq >= 2020 ? 300 : 0);
            long at = sentAt + (seq == 2018 || seq == 2019 ? 150 : 20);
            sent.add(new SentEvent(seq, "r:" + seq, "k" + seq % 4, T0.plusMillis(sentAt), T0.plusMillis(sentAt + 1), 0,
                    (long) seq));
            out.add(new Observation("r:" + seq, T0.plusMillis(at), 0, seq, "l1", (long) seq));
        }
        FaultWindow fault = new FaultWindow("blip", "c1", "a1", "kill", T0.plusSeconds(10), T0.plusSeconds(10),
                T0.plusMillis(10_100), T0.plusMillis(10_100));
        History h = new History("r", sent, out, List.of(fault), INTERVAL, T0.plusSeconds(30), T0.plusSeconds(31),
                List.of(), Map.of(0, 3000L), List.of(), List.of());

        History folded = Fold.fold(h, Duration.ofSeconds(1));
        Verifier.Result whole = Verifier.verify(h, ChecksSpec.DEFAULTS);
        FaultRecord.Failover failover = whole.faults().get(0).failover();
        // The pause came ten seconds after the fault was undone: not its failover, the disruption after its heal.
        assertThat(failover.outage()).isFalse();
        FaultRecord.Disruption afterHeal = failover.afterHeal();
        assertThat(afterHeal.to()).isEqualTo(T0.plusMillis(20_520));
        assertThat(folded.folded()).anySatisfy(s -> {
            assertThat(s.seenFrom()).isBefore(afterHeal.to());
            assertThat(s.seenTo()).isAfter(afterHeal.to());
        });
        assertThat(Verifier.verify(folded, ChecksSpec.DEFAULTS)).isEqualTo(whole);
    }

    @Test
    void aFoldedLogFreesItsChunksAndItsViewsLeaveTheFoldedCanariesOut() {
        CanaryLog log = new CanaryLog("r:", 4);
        for (int seq = 0; seq < 5000; seq++) {
            Instant at = T0.plusMillis(seq * 10L);
            log.sent(seq, at);
            log.acknowledged(seq, at.plusMillis(1), 0, (long) seq);
            log.observed("r:" + seq, at.plusMillis(20), 0, seq, "l1", (long) seq);
        }
        assertThat(log.unobserved()).isZero();
        long folded = log.fold(List.of(), T0.plusSeconds(30), Duration.ofSeconds(1), INTERVAL);

        // The canaries sent 10 s to 30 s in: the first 10 s, where the steady state is looked for, stay whole.
        assertThat(folded).isBetween(1800L, 2000L);
        assertThat(log.kept()).isEqualTo(5000 - folded);
        assertThat(log.sent()).hasSize((int) log.kept());
        assertThat(log.observations()).hasSize((int) log.kept());
        assertThat(log.sent().get(0).seq()).isZero();
        assertThat(log.folded().get(0).firstSeq()).isGreaterThanOrEqualTo(1000);
        assertThat(log.folded()).allSatisfy(s -> assertThat(s.count()).isBetween(100L, 200L));
        // Nothing left to fold twice; a canary that comes again is a late second result.
        assertThat(log.fold(List.of(), T0.plusSeconds(30), Duration.ofSeconds(1), INTERVAL)).isZero();
        log.observed("r:1507", T0.plusSeconds(60), 0, 9999, "l1", 1507L);
        History h = new History("r", log.sent(), log.observations(), List.of(), INTERVAL, T0.plusSeconds(50),
                T0.plusSeconds(61), List.of(), Map.of(0, 5000L), List.of(), List.of(), null, log.folded());
        DeliveryAnalysis.Anomalies a = Verifier.verify(h, ChecksSpec.DEFAULTS).anomalies();
        assertThat(a.duplicated()).containsExactly("r:1507");
        assertThat(a.unexplained()).containsExactly("r:1507");
        assertThat(a.unexpected()).isEmpty();
    }

    @Test
    void aStretchThatDoesNotAddUpIsRefusedWhenRead() {
        Counts one = new Counts(new long[] {5}, new long[] {2});
        Assertions.assertThatThrownBy(() -> new Stretch.Flow(null, 2, T0, T0.plusMillis(1), 1, null,
                null, Counts.EMPTY, List.of())).hasMessageContaining("one gap fewer than completions");
        Assertions.assertThatThrownBy(() -> new Stretch("r:", 0, 3, List.of("k0"), List.of(0), T0,
                T0, T0, T0, one, List.of(), List.of(), List.of())).hasMessageContaining("3 canaries but 2 latencies");
        Assertions.assertThatThrownBy(() -> new Counts(new long[] {5, 3}, new long[] {1, 1}))
                .hasMessageContaining("values must ascend");
    }
}

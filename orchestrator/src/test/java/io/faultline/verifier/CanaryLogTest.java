package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanaryLogTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123456789Z");

    @Test
    void readsBackWhatWasRecordedAsTheRecordsTheVerifierJudges() {
        CanaryLog log = new CanaryLog("run-1:", 4);
        log.sent(0, T0);
        log.sent(1, T0.plusMillis(20));
        log.sent(2, T0.plusMillis(40));
        log.acknowledged(0, T0.plusMillis(2), 1, 100L);
        log.acknowledged(2, T0.plusMillis(42), 0, 7L);
        log.observed("run-1:0", T0.plusMillis(200), 3, 55, "listener-1", 100L);
        log.observed("run-1:0", T0.plusMillis(300), 3, 56, "listener-2", null);
        log.observed("run-1:99", T0.plusMillis(310), 0, 57, null, null);
        log.observed("run-1:007", T0.plusMillis(320), 0, 58, "listener-1", null);

        assertThat(log.sent()).containsExactly(
                new SentEvent(0, "run-1:0", "k0", T0, T0.plusMillis(2), 1, 100L),
                new SentEvent(1, "run-1:1", "k1", T0.plusMillis(20), null, null, null),
                new SentEvent(2, "run-1:2", "k2", T0.plusMillis(40), T0.plusMillis(42), 0, 7L));
        assertThat(log.observations()).containsExactly(
                new Observation("run-1:0", T0.plusMillis(200), 3, 55, "listener-1", 100L),
                new Observation("run-1:0", T0.plusMillis(300), 3, 56, "listener-2", null),
                new Observation("run-1:99", T0.plusMillis(310), 0, 57, null, null),
                new Observation("run-1:007", T0.plusMillis(320), 0, 58, "listener-1", null));
        // Acknowledged and not out: canary 2 (1 was never acknowledged; 99 and 007 were never sent).
        assertThat(log.unobserved()).isEqualTo(1);
    }

    @Test
    void aViewKeepsItsSizeWhileTheRunGoesOnAndIsReadOnly() {
        CanaryLog log = new CanaryLog("r:", 16);
        for (int i = 0; i < 40_000; i++) {
            log.sent(i, T0.plusNanos(i));
        }
        List<SentEvent> sent = log.sent();
        log.sent(40_000, T0);
        log.observed("r:39999", T0, 0, 0, null, null);
        assertThat(sent).hasSize(40_000);
        assertThat(sent.get(39_999).sentAt()).isEqualTo(T0.plusNanos(39_999));
        assertThat(sent.get(20_000).key()).isEqualTo("k0");
        assertThat(log.sent()).hasSize(40_001);
        assertThat(log.observations()).hasSize(1);
        assertThatThrownBy(() -> sent.add(sent.get(0))).isInstanceOf(UnsupportedOperationException.class);
        assertThat(CanaryLog.isView(sent)).isTrue();
        History h = new History("r", sent, log.observations(), List.of(), Duration.ofMillis(1), T0, T0,
                List.of(), null, List.of(), List.of());
        assertThat(h.sent()).isSameAs(sent);
    }

    @Test
    void sequenceNumbersComeInOrder() {
        CanaryLog log = new CanaryLog("r:", 1);
        log.sent(0, T0);
        assertThatThrownBy(() -> log.sent(2, T0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 1");
    }

    @Test
    void anArrivalThatNamesACanaryNeverSentGrowsNothingAndIsUnexpected() {
        CanaryLog log = new CanaryLog("run-1:", 4);
        log.sent(0, T0);
        log.acknowledged(0, T0.plusMillis(2), 0, 0L);
        log.observed("run-1:0", T0.plusMillis(200), 0, 0, "listener-1", 0L);
        // A record of the system under test naming canary 2^31 - 648, and one with a 900 KB id.
        log.observed("run-1:2147483000", T0.plusMillis(210), 0, 1, "listener-1", null);
        log.observed("run-1:" + "x".repeat(900_000), T0.plusMillis(220), 0, 2, "listener-1", null);
        assertThat(log.seenChunks()).isEqualTo(1);
        assertThat(log.observations().get(1).id()).isEqualTo("run-1:2147483000");
        String cut = log.observations().get(2).id();
        assertThat(cut).hasSizeLessThan(CanaryLog.MAX_ODD_ID + 40).endsWith("(900006 characters)");

        History h = new History("r", log.sent(), log.observations(), List.of(), Duration.ofMillis(20),
                T0.plusSeconds(1), T0.plusSeconds(2), List.of(), Map.of(0, 1L), List.of(), List.of());
        DeliveryAnalysis.Anomalies a = DeliveryAnalysis.anomalies(h);
        assertThat(a.unexpected()).hasSize(2).contains("run-1:2147483000");
        assertThat(a.lost()).isEmpty();
    }

    @Test
    void theIndexReadsTheColumnsAsTheRecordsSayAndIsBuiltOncePerHistory() {
        CanaryLog log = new CanaryLog("run-1:", 4);
        for (int i = 0; i < 3000; i++) {
            log.sent(i, T0.plusMillis(i));
            if (i % 7 != 3) {
                log.acknowledged(i, T0.plusMillis(i + 1), i % 3, (long) i / 3);
            }
            if (i % 11 != 5) {
                log.observed("run-1:" + i, T0.plusMillis(i + 30), i % 2, i, "listener-1", (long) i / 3);
            }
        }
        log.observed("run-1:17", T0.plusMillis(4000), 1, 5000, "listener-2", 5L);
        log.observed("run-1:017", T0.plusMillis(4001), 1, 5001, null, null);
        log.observed("other", T0.plusMillis(4002), 0, 5002, null, null);
        History h = new History("r", log.sent(), log.observations(), List.of(), Duration.ofMillis(1),
                T0.plusSeconds(3), T0.plusSeconds(5), List.of(), null, List.of(), List.of());
        History copy = new History("r", List.copyOf(h.sent()), List.copyOf(h.observations()), List.of(),
                Duration.ofMillis(1), T0.plusSeconds(3), T0.plusSeconds(5), List.of(), null, List.of(), List.of());
        CanaryIndex columns = CanaryIndex.of(h);
        CanaryIndex records = CanaryIndex.of(copy);
        assertThat(columns.dense()).isTrue();
        assertThat(columns.size()).isEqualTo(records.size());
        for (int p = 0; p < columns.size(); p++) {
            assertThat(List.of(columns.sentAtNanos(p), columns.seq(p), columns.acknowledged(p),
                    String.valueOf(columns.partition(p)), columns.key(p), columns.firstSeenNanos(p), columns.times(p)))
                    .isEqualTo(List.of(records.sentAtNanos(p), records.seq(p), records.acknowledged(p),
                            String.valueOf(records.partition(p)), records.key(p), records.firstSeenNanos(p),
                            records.times(p)));
        }
        assertThat(columns.arrivals()).isEqualTo(records.arrivals());
        for (int i = 0; i < columns.arrivals(); i++) {
            assertThat(List.of(columns.arrivalOf(i), columns.arrivedAtNanos(i)))
                    .isEqualTo(List.of(records.arrivalOf(i), records.arrivedAtNanos(i)));
        }
        assertThat(Verifier.verify(h, ChecksSpec.DEFAULTS)).isEqualTo(Verifier.verify(copy, ChecksSpec.DEFAULTS));
        // The verifier and the timeline of one recorded history share one index.
        assertThat(CanaryIndex.of(h)).isSameAs(columns);
        assertThat(CanaryIndex.of(copy)).isNotSameAs(records);
    }
}

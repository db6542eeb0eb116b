package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.scenario.ChecksSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Delivery analysis: lost, unseen, duplicated (and why), unexpected and reordered canaries. */
class DeliveryAnalysisTest extends VerifierFixture {
    @Test
    void anEventNotObservedIsLostOnlyWhenTheSystemCommittedPastIt() {
        Builder b = new Builder(300, Set.of(100L, 250L));
        b.committed.put(0, 200L);
        Verifier.Result r = Verifier.verify(b.history(), ChecksSpec.DEFAULTS);
        assertThat(check(r, "lost").offenders()).containsExactly("r:100");
        CheckResult unseen = check(r, "unseen");
        assertThat(unseen.passed()).isFalse();
        assertThat(unseen.offenders()).containsExactly("r:250");
        assertThat(unseen.summary()).contains("not yet consumed");
        b.committed.clear();
        Verifier.Result unknown = Verifier.verify(b.history(), ChecksSpec.DEFAULTS);
        assertThat(check(unknown, "lost").offenders()).isEmpty();
        assertThat(check(unknown, "unseen").offenders()).containsExactly("r:100", "r:250");
        assertThat(check(unknown, "unseen").summary()).contains("loss cannot be proven");
    }

    @Test
    void flagsAnEventObservedAfterALaterEventOfItsKey() {
        Builder b = new Builder(200, Set.of());
        // r:40 (key k0) comes out last, after r:44, r:48, ... of the same key; other keys are in order.
        b.observed.replaceAll(o -> o.id().equals("r:40")
                ? new Observation("r:40", T0.plusSeconds(5), 0, 10_000, "listener-1", 40L) : o);
        Verifier.Result r = Verifier.verify(b.history(), ChecksSpec.DEFAULTS);
        CheckResult reordered = check(r, "reordered");
        assertThat(reordered.passed()).isFalse();
        assertThat(reordered.offenders()).containsExactly("r:40");
        assertThat(r.canary().reordered()).isEqualTo(1);
        assertThat(check(Verifier.verify(b.history(), new ChecksSpec(null, 0L, 0L, null, null, null, 1L)), "reordered")
                .passed()).isTrue();

        // reordered: off (or a key per canary): counted, said, not judged.
        CheckResult off = check(Verifier.verify(b.history(), ChecksSpec.DEFAULTS.withoutOrder()), "reordered");
        System.out.println("  " + off.outcome() + " " + off.name() + " " + off.summary());
        assertThat(off.outcome()).isEqualTo(CheckResult.Outcome.SKIP);
        assertThat(off.summary()).startsWith("order not judged").contains("1 canaries came out after a later canary");
    }

    @Test
    void theTimelineMarksWhereTheLostAndDuplicatedCanariesWereSent() {
        Builder b = new Builder(200, Set.of(30L));
        b.observed.add(new Observation("r:40", T0.plusSeconds(9), 0, 900, "listener-2", 40L));
        Timeline t = Timeline.of(b.history());
        assertThat(t.marks()).containsExactly(new Timeline.Mark("lost", b.sent.get(30).sentAt()),
                new Timeline.Mark("duplicated", b.sent.get(40).sentAt()));
    }

    @Test
    void countsLostEventsAndNamesTheFirstOnes() {
        Verifier.Result r = Verifier.verify(new Builder(300, Set.of(100L, 101L, 102L, 250L)).history(), ChecksSpec.DEFAULTS);
        CheckResult lost = check(r, "lost");
        assertThat(lost.passed()).isFalse();
        assertThat(lost.measured()).isEqualTo(4.0);
        assertThat(lost.offenders()).containsExactly("r:100", "r:101", "r:102", "r:250");
        assertThat(r.canary().lost()).isEqualTo(4);
        assertThat(r.canary().observed()).isEqualTo(296);
    }

    @Test
    void anUnacknowledgedEventThatNeverArrivedIsNotLost() {
        Builder b = new Builder(100, Set.of(50L));
        SentEvent e = b.sent.get(50);
        b.sent.set(50, new SentEvent(e.seq(), e.id(), e.key(), e.sentAt(), null, null, null));
        Verifier.Result r = Verifier.verify(b.history(), ChecksSpec.DEFAULTS);
        assertThat(check(r, "lost").passed()).isTrue();
        assertThat(r.canary().acknowledged()).isEqualTo(99);
    }

    @Test
    void tellsRedeliveriesFromSecondWritesByTheEvidence() {
        Builder b = new Builder(200, Set.of());
        // The first results come from listener-1. 10 and 11 come again from the same input offset
        // on listener-2 (another instance: redelivered); 20 from two different input offsets
        // (written twice upstream); 30 from the same offset on listener-1 again, nothing between
        // (one instance wrote it twice, or redelivered to itself: cause unknown).
        b.observed.add(new Observation("r:10", T0.plusSeconds(9), 0, 500, "listener-2", 10L));
        b.observed.add(new Observation("r:11", T0.plusSeconds(9), 0, 501, "listener-2", 11L));
        b.observed.add(new Observation("r:20", T0.plusSeconds(9), 0, 502, "listener-2", 777L));
        b.observed.add(new Observation("r:30", T0.plusMillis(700), 0, 503, "listener-1", 30L));
        Verifier.Result r = Verifier.verify(b.history(), new ChecksSpec(null, 0L, 0L));
        CheckResult dup = check(r, "duplicated");
        System.out.println("  " + dup.outcome() + " " + dup.name() + " " + dup.summary());
        assertThat(dup.passed()).isFalse();
        assertThat(dup.offenders()).containsExactly("r:10", "r:11", "r:20", "r:30");
        assertThat(r.anomalies().redelivered()).containsExactly("r:10", "r:11");
        assertThat(r.anomalies().sameInstance()).containsExactly("r:30");
        assertThat(dup.summary()).isEqualTo("4 canaries observed more than once (2 redelivered: the same input offset "
                + "processed again by another instance or across a restart or rebalance, 1 from the same input offset "
                + "by the same instance with no fault between: written twice by one consumer, or redelivered within it "
                + "(cause unknown), 1 read from two different input offsets (written twice before the stage that "
                + "reports them))");
        assertThat(check(Verifier.verify(b.history(), new ChecksSpec(null, 0L, 4L)), "duplicated").passed()).isTrue();

        // The same instance across a fault (its restart): a redelivery.
        b.fault(T0.plusMillis(750), T0.plusMillis(760));
        assertThat(Verifier.verify(b.history(), new ChecksSpec(null, 0L, 0L)).anomalies().redelivered())
                .containsExactly("r:10", "r:11", "r:30");
    }

    @Test
    void aDuplicateWhoseResultsReportNoInputOffsetHasAnUnknownCause() {
        Builder b = new Builder(200, Set.of());
        // A service that reports no input offset: its results carry none, the first one included.
        b.observed.replaceAll(o -> new Observation(o.id(), o.observedAt(), o.partition(), o.offset(), null, null));
        b.observed.add(new Observation("r:10", T0.plusSeconds(9), 0, 500, null, null));
        CheckResult dup = check(Verifier.verify(b.history(), new ChecksSpec(null, 0L, 0L)), "duplicated");
        assertThat(dup.summary()).isEqualTo("1 canaries observed more than once (1 cause unknown: the service reports "
                + "no input offset (header input-offset) to tell a redelivery from a second write)");
        assertThat(dup.summary()).doesNotContain("re-processed");
    }

    @Test
    void flagsEventsThatWereNeverSent() {
        Builder b = new Builder(50, Set.of());
        b.observed.add(new Observation("r:9999", T0.plusSeconds(1), 0, 900, "listener-1", 900L));
        CheckResult unexpected = check(Verifier.verify(b.history(), ChecksSpec.DEFAULTS), "unexpected");
        assertThat(unexpected.passed()).isFalse();
        assertThat(unexpected.offenders()).containsExactly("r:9999");
    }
}

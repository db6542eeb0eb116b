package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.StopCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class VerifierTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(20);
    private static final Duration LATENCY = Duration.ofMillis(200);

    /** A steady history: one canary every 20 ms for {@code count} events, each observed 200 ms after it was sent. */
    private static final class Builder {
        final List<SentEvent> sent = new ArrayList<>();
        final List<Observation> observed = new ArrayList<>();
        final List<FaultWindow> faults = new ArrayList<>();
        /** The system under test committed every input offset unless a test says otherwise. */
        final Map<Integer, Long> committed = new HashMap<>();
        final List<History.AlertChange> alerts = new ArrayList<>();
        final List<History.ProbeSample> probes = new ArrayList<>();
        Instant stopped;

        Builder(int count, Set<Long> dropped) {
            for (long seq = 0; seq < count; seq++) {
                Instant at = T0.plus(INTERVAL.multipliedBy(seq));
                sent.add(new SentEvent(seq, "r:" + seq, "k" + (seq % 4), at, at.plusMillis(2), 0, seq));
                if (!dropped.contains(seq)) {
                    observed.add(new Observation("r:" + seq, at.plus(LATENCY), 0, seq, "listener-1", seq));
                }
            }
            stopped = T0.plus(INTERVAL.multipliedBy(count));
            committed.put(0, (long) count);
        }

        Builder fault(Instant invoked, Instant applied) {
            faults.add(new FaultWindow("kill-primary", "cmd-1", "agent-1", "process.kill", invoked, applied,
                    invoked.plusSeconds(15), invoked.plusSeconds(15)));
            return this;
        }

        History history() {
            return new History("r", sent, observed, faults, INTERVAL, stopped, stopped.plusSeconds(5), List.of(), committed,
                    alerts, probes);
        }
    }

    private static CheckResult check(Verifier.Result r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void passesAHistoryWithoutAnomalies() {
        Verifier.Result r = Verifier.verify(new Builder(500, Set.of()).fault(T0.plusSeconds(5), T0.plusSeconds(5).plusMillis(40))
                .history(), new ChecksSpec(Duration.ofSeconds(10), 0L, 0L));
        assertThat(r.checks()).extracting(CheckResult::name).contains(CheckNames.LOST, CheckNames.UNSEEN,
                CheckNames.DUPLICATED, CheckNames.UNEXPECTED, CheckNames.REORDERED);
        assertThat(r.checks()).filteredOn(c -> c.name().startsWith(CheckNames.FAILOVER + "[")).hasSize(1);
        assertThat(r.checks()).allMatch(CheckResult::passed);
        assertThat(r.canary().lost()).isZero();
        assertThat(r.faults().get(0).failover().outage()).isFalse();
    }

    @Test
    void measuresFailoverAsABoundFromTheGapInCompletions() {
        // Nothing sent between 3.8 s and 7.8 s comes through until the backlog is processed at 8.0 s.
        Builder b = new Builder(500, Set.of());
        Instant invoked = T0.plusSeconds(4);
        Instant acked = invoked.plusMillis(50);
        Instant recovered = T0.plusSeconds(8);
        List<Observation> shifted = new ArrayList<>();
        for (Observation o : b.observed) {
            Instant sentAt = b.sent.get((int) o.offset()).sentAt();
            boolean inOutage = !sentAt.isBefore(T0.plusMillis(3800)) && sentAt.isBefore(T0.plusMillis(7800));
            shifted.add(inOutage ? new Observation(o.id(), recovered.plusMillis(o.offset() % 10), 0, o.offset(),
                    "listener-2", o.inputOffset()) : o);
        }
        b.observed.clear();
        b.observed.addAll(shifted);
        Verifier.Result r = Verifier.verify(b.fault(invoked, acked).history(), new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));

        FaultRecord.Failover fo = r.faults().get(0).failover();
        assertThat(fo.outage()).isTrue();
        assertThat(fo.recoveredAt()).isEqualTo(recovered);
        assertThat(fo.upperMs()).isEqualTo(4000);
        assertThat(fo.lowerMs()).isEqualTo(3950);
        assertThat(fo.outageStart()).isEqualTo(T0.plusMillis(3780).plus(LATENCY));
        assertThat(fo.availabilityGapMs()).isEqualTo(Duration.between(fo.outageStart(), recovered).toMillis());
        assertThat(check(r, "failover[kill-primary]").passed()).isTrue();
        assertThat(check(r, "failover[kill-primary]").measured()).isEqualTo(4000.0);
    }

    @Test
    void catchUpEndsWhenTheBacklogIsWorkedOff() {
        Builder b = new Builder(500, Set.of());
        Instant invoked = T0.plusSeconds(4);
        Instant recovered = T0.plusSeconds(8);
        // Everything sent during the outage comes out over 300 ms after recovery; later canaries take 200 ms.
        b.observed.replaceAll(o -> {
            Instant sentAt = b.sent.get((int) o.offset()).sentAt();
            boolean inOutage = !sentAt.isBefore(invoked) && sentAt.isBefore(T0.plusMillis(7800));
            return inOutage ? new Observation(o.id(), recovered.plusMillis(o.offset() % 300), 0, o.offset(),
                    "listener-2", o.inputOffset()) : o;
        });
        Verifier.Result r = Verifier.verify(b.fault(invoked, invoked.plusMillis(50)).history(), ChecksSpec.DEFAULTS);
        FaultRecord.Failover fo = r.faults().get(0).failover();
        assertThat(fo.recoveredAt()).isEqualTo(recovered);
        assertThat(fo.catchUpMs()).isEqualTo(299L);
        assertThat(check(r, "failover[kill-primary]").summary()).contains("caught up 299 ms after recovery");
    }

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
    }

    @Test
    void failsFailoverOverTheThreshold() {
        Builder b = new Builder(1000, Set.of());
        b.observed.removeIf(o -> o.observedAt().isAfter(T0.plusSeconds(4)) && o.observedAt().isBefore(T0.plusSeconds(16)));
        Verifier.Result r = Verifier.verify(b.fault(T0.plusSeconds(4), T0.plusSeconds(4)).history(),
                new ChecksSpec(Duration.ofSeconds(10), null, null));
        CheckResult failover = check(r, "failover[kill-primary]");
        assertThat(failover.passed()).isFalse();
        assertThat(failover.measured()).isGreaterThan(10_000.0);
    }

    @Test
    void reportsNoRecoveryWhenCanariesNeverComeBack() {
        Builder b = new Builder(500, Set.of());
        b.observed.removeIf(o -> o.observedAt().isAfter(T0.plusSeconds(4)));
        Verifier.Result r = Verifier.verify(b.fault(T0.plusSeconds(4), T0.plusSeconds(4)).history(), ChecksSpec.DEFAULTS);
        assertThat(r.faults().get(0).failover().recovered()).isFalse();
        assertThat(check(r, "failover[kill-primary]").passed()).isFalse();
        assertThat(check(r, "lost").passed()).isFalse();
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
    void tellsRedeliveriesFromSecondWrites() {
        Builder b = new Builder(200, Set.of());
        // 10 and 11 re-processed from the same input offset; 20 written twice from different input offsets.
        b.observed.add(new Observation("r:10", T0.plusSeconds(9), 0, 500, "listener-2", 10L));
        b.observed.add(new Observation("r:11", T0.plusSeconds(9), 0, 501, "listener-2", 11L));
        b.observed.add(new Observation("r:20", T0.plusSeconds(9), 0, 502, "listener-2", 777L));
        Verifier.Result r = Verifier.verify(b.history(), new ChecksSpec(null, 0L, 0L));
        CheckResult dup = check(r, "duplicated");
        assertThat(dup.passed()).isFalse();
        assertThat(dup.offenders()).containsExactly("r:10", "r:11", "r:20");
        assertThat(dup.summary()).isEqualTo("3 canaries observed more than once (2 re-processed from the same input "
                + "offset, 1 read from two different input offsets (written twice before the stage that reports them))");
        assertThat(check(Verifier.verify(b.history(), new ChecksSpec(null, 0L, 3L)), "duplicated").passed()).isTrue();
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

    @Test
    void ignoresGapsShorterThanTheOutageThreshold() {
        Builder b = new Builder(500, Set.of());
        // A 60 ms hiccup (three missing completions) is jitter, not an outage.
        b.observed.removeIf(o -> o.offset() >= 200 && o.offset() < 203);
        b.sent.removeIf(e -> e.seq() >= 200 && e.seq() < 203);
        Verifier.Result r = Verifier.verify(b.fault(T0.plusSeconds(4), T0.plusSeconds(4)).history(), ChecksSpec.DEFAULTS);
        assertThat(r.faults().get(0).failover().outage()).isFalse();
    }

    /** Canaries sent while the fault holds take {@code slowMs}; those sent after {@code recoverAt} are fast again. */
    private static History slowedHistory(long slowMs, Instant invoked, Instant healed, Instant recoverAt) {
        Builder b = new Builder(1500, Set.of());
        b.observed.clear();
        for (SentEvent e : b.sent) {
            boolean slow = !e.sentAt().isBefore(invoked) && e.sentAt().isBefore(recoverAt);
            b.observed.add(new Observation(e.id(), e.sentAt().plusMillis(slow ? slowMs : LATENCY.toMillis()), 0, e.seq(),
                    "listener-1", e.seq()));
        }
        b.faults.add(new FaultWindow("pause-redis", "cmd-1", "agent-1", "redis.pause", invoked, invoked.plusMillis(5),
                healed, healed.plusMillis(5)));
        return b.history();
    }

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

    @Test
    void circuitMustOpenDuringTheFaultAndCloseAfterHeal() {
        Instant invoked = T0.plusSeconds(10);
        Instant healed = T0.plusSeconds(15);
        History base = slowedHistory(200, invoked, healed, healed);
        ChecksSpec spec = new ChecksSpec(null, 0L, 0L, null, new ChecksSpec.CircuitCheck("redis", Duration.ofSeconds(5)));
        Function<List<History.CircuitChange>, CheckResult> judge = changes -> check(Verifier.verify(
                new History("r", base.sent(), base.observations(), base.faults(), INTERVAL, base.sendingStoppedAt(),
                        base.observedUntil(), changes, base.committed(), base.alerts(), base.probes()), spec), "circuit[redis]");

        CheckResult good = judge.apply(List.of(
                new History.CircuitChange("listener-1", "redis", "open", invoked.plusSeconds(1)),
                new History.CircuitChange("listener-1", "redis", "half_open", healed.plusSeconds(1)),
                new History.CircuitChange("listener-1", "redis", "closed", healed.plusSeconds(2))));
        assertThat(good.passed()).isTrue();
        assertThat(good.measured()).isEqualTo(1995.0);

        assertThat(judge.apply(List.of()).summary()).contains("never opened");
        CheckResult stuck = judge.apply(List.of(
                new History.CircuitChange("listener-1", "redis", "open", invoked.plusSeconds(1)),
                new History.CircuitChange("listener-2", "redis", "open", invoked.plusSeconds(1)),
                new History.CircuitChange("listener-1", "redis", "closed", healed.plusSeconds(2))));
        assertThat(stuck.passed()).isFalse();
        assertThat(stuck.offenders()).containsExactly("listener-2");
        CheckResult slow = judge.apply(List.of(
                new History.CircuitChange("listener-1", "redis", "open", invoked.plusSeconds(1)),
                new History.CircuitChange("listener-1", "redis", "closed", healed.plusSeconds(9))));
        assertThat(slow.passed()).as("closed after the 5 s limit").isFalse();
        CheckResult otherCircuit = judge.apply(List.of(
                new History.CircuitChange("listener-1", "db", "open", invoked.plusSeconds(1))));
        assertThat(otherCircuit.passed()).isFalse();
    }

    @Test
    void anAlertMustFireAfterTheInjectionAndResolveAfterRecovery() {
        Instant invoked = T0.plusSeconds(4);
        ChecksSpec spec = new ChecksSpec(null, 0L, 0L, null, null, null, null, List.of(
                new ChecksSpec.AlertCheck("IngestionLagHigh", Duration.ofSeconds(10), Duration.ofSeconds(10), null, 0)));
        Builder good = new Builder(1000, Set.of()).fault(invoked, invoked.plusMillis(40));
        good.alerts.add(new History.AlertChange("IngestionLagHigh", true, invoked.plusSeconds(3)));
        good.alerts.add(new History.AlertChange("IngestionLagHigh", false, invoked.plusSeconds(18)));
        Verifier.Result r = Verifier.verify(good.history(), spec);
        assertThat(check(r, "alert[IngestionLagHigh].fires").measured()).isEqualTo(3000.0);
        assertThat(check(r, "alert[IngestionLagHigh].fires").passed()).isTrue();
        // No outage in this history, so resolution is measured from the undo (15 s after injection).
        assertThat(check(r, "alert[IngestionLagHigh].resolves").measured()).isEqualTo(3000.0);
        assertThat(check(r, "alert[IngestionLagHigh].flaps").passed()).isTrue();

        Builder never = new Builder(1000, Set.of()).fault(invoked, invoked.plusMillis(40));
        never.alerts.add(new History.AlertChange("IngestionLagHigh", true, invoked.minusSeconds(2)));
        never.alerts.add(new History.AlertChange("IngestionLagHigh", false, invoked.minusSeconds(1)));
        Verifier.Result silent = Verifier.verify(never.history(), spec);
        assertThat(check(silent, "alert[IngestionLagHigh].fires").passed()).isFalse();
        assertThat(check(silent, "alert[IngestionLagHigh].fires").summary()).contains("never fired after the injection");
        assertThat(check(silent, "alert[IngestionLagHigh].resolves").passed()).isFalse();

        Builder stuck = new Builder(1000, Set.of()).fault(invoked, invoked.plusMillis(40));
        stuck.alerts.add(new History.AlertChange("IngestionLagHigh", true, invoked.plusSeconds(1)));
        stuck.alerts.add(new History.AlertChange("IngestionLagHigh", false, invoked.plusSeconds(2)));
        stuck.alerts.add(new History.AlertChange("IngestionLagHigh", true, invoked.plusSeconds(3)));
        Verifier.Result flapping = Verifier.verify(stuck.history(), spec);
        assertThat(check(flapping, "alert[IngestionLagHigh].flaps").passed()).isFalse();
        assertThat(check(flapping, "alert[IngestionLagHigh].flaps").measured()).isEqualTo(1.0);
        // Resolved 1 s after injection: before the undo, so measured as 0.
        assertThat(check(flapping, "alert[IngestionLagHigh].resolves").measured()).isEqualTo(0.0);
    }

    @Test
    void anAlertThatMustNotFireFailsTheRunWhenItDoes() {
        ChecksSpec spec = new ChecksSpec(null, 0L, 0L, null, null, null, null, List.of(
                new ChecksSpec.AlertCheck("DiskFull", null, null, true, null)));
        Builder b = new Builder(500, Set.of());
        assertThat(check(Verifier.verify(b.history(), spec), "alert[DiskFull].mustNotFire").passed()).isTrue();
        b.alerts.add(new History.AlertChange("DiskFull", true, T0.plusSeconds(2)));
        CheckResult fired = check(Verifier.verify(b.history(), spec), "alert[DiskFull].mustNotFire");
        assertThat(fired.passed()).isFalse();
        assertThat(fired.summary()).contains("DiskFull fired 1 time(s)");
    }

    @Test
    void probesAreJudgedInThePhaseTheirModeNames() {
        Instant invoked = T0.plusSeconds(4);
        Builder b = new Builder(1000, Set.of()).fault(invoked, invoked.plusMillis(40));
        // The API fails only while the fault is applied (4 s to 19 s), and is fine before and after.
        for (int s = 0; s < 22; s++) {
            Instant at = T0.plusSeconds(s).plusMillis(500);
            boolean during = at.isAfter(invoked) && at.isBefore(invoked.plusSeconds(15));
            b.probes.add(new History.ProbeSample("api", at, !during, during ? "GET /health answered 503" : "200"));
        }
        BiFunction<ProbeSpec.Mode, Integer, CheckResult> judge = (mode, allowed) ->
                check(Verifier.verify(b.history(), ChecksSpec.DEFAULTS, List.of(new ProbeSpec("api",
                        new StopCondition.HttpProbeSpec("http://api/health", null, null, null), null,
                        null, null, mode, null, allowed))), "probe[api]");
        assertThat(judge.apply(ProbeSpec.Mode.BEFORE, 0).passed()).isTrue();
        CheckResult during = judge.apply(ProbeSpec.Mode.DURING, 0);
        assertThat(during.passed()).isFalse();
        assertThat(during.measured()).isEqualTo(15.0);
        assertThat(during.summary()).contains("15 of 15 samples failed (during)", "503");
        assertThat(judge.apply(ProbeSpec.Mode.DURING, 15).passed()).isTrue();
        assertThat(judge.apply(ProbeSpec.Mode.AFTER, 0).passed()).isTrue();
        assertThat(judge.apply(ProbeSpec.Mode.CONTINUOUS, 0).passed()).isFalse();
        // After the heal the system must be back by the end: a last failing sample fails the check.
        b.probes.add(new History.ProbeSample("api", T0.plusSeconds(23), false, "GET /health timed out"));
        CheckResult after = judge.apply(ProbeSpec.Mode.AFTER, 5);
        assertThat(after.passed()).isFalse();
        assertThat(after.summary()).contains("still failing at the end");
    }

    @Test
    void aCheckThatThrowsFailsWithItsReasonInsteadOfSinkingTheVerdict() {
        Check broken = new Check() {
            @Override
            public String name() {
                return CheckNames.ALERT;
            }

            @Override
            public List<CheckResult> check(Analysis analysis) {
                throw new IllegalStateException("alert log unreadable");
            }
        };
        Analysis analysis = Verifier.analyse(new Builder(100, Set.of()).history(), ChecksSpec.DEFAULTS, List.of());
        List<CheckResult> out = Check.safe(broken).check(analysis);
        assertThat(out).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo(CheckNames.ALERT);
            assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.UNKNOWN);
            assertThat(c.passed()).isFalse();
            assertThat(c.summary()).contains("could not be judged", "alert log unreadable");
        });
    }

    /** Canaries spread round-robin over {@code partitions} input partitions; those of {@code stalled} wait until {@code until}. */
    private static History spread(int partitions, Set<Integer> stalled, Instant from, Instant until) {
        Builder b = new Builder(0, Set.of());
        for (long seq = 0; seq < 750; seq++) {
            Instant at = T0.plus(INTERVAL.multipliedBy(seq));
            int p = (int) (seq % partitions);
            b.sent.add(new SentEvent(seq, "r:" + seq, "k" + p, at, at.plusMillis(2), p, seq / partitions));
            Instant seen = at.plus(LATENCY);
            if (stalled.contains(p) && !at.isBefore(from) && at.isBefore(until)) {
                seen = until.plus(LATENCY).plusMillis(seq % 10);
            }
            b.observed.add(new Observation("r:" + seq, seen, p, seq / partitions, "listener-1", seq / partitions));
        }
        b.stopped = T0.plus(INTERVAL.multipliedBy(750));
        for (int p = 0; p < partitions; p++) {
            b.committed.put(p, 750L / partitions + 1);
        }
        b.observed.sort(Comparator.comparing(Observation::observedAt));
        return b.fault(T0.plusMillis(4000), T0.plusMillis(4010)).history();
    }

    @Test
    void oneStoppedPartitionOfThreeIsTheFailoverAlthoughTheOthersFlowOn() {
        // The owner of partition 1 dies at 4 s; its canaries wait 10 s while 0 and 2 flow: the
        // merged stream never pauses, the partition does.
        Verifier.Result r = Verifier.verify(spread(3, Set.of(1), T0.plusMillis(4000), T0.plusMillis(14000)),
                new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.Failover fo = r.faults().get(0).failover();
        assertThat(fo.outage()).isTrue();
        assertThat(fo.recovered()).isTrue();
        assertThat(fo.upperMs()).isBetween(10_000L, 10_300L);
        assertThat(fo.partitions()).extracting(FaultRecord.PartitionGap::partition).containsExactly(1);
        CheckResult failover = check(r, "failover[kill-primary]");
        assertThat(failover.passed()).isFalse();
        assertThat(failover.summary()).contains("partition 1 (gap ").contains("stopped, the others flowed")
                .contains("over the 5000 ms limit");
    }

    @Test
    void noStoppedPartitionIsNoOutage() {
        Verifier.Result r = Verifier.verify(spread(3, Set.of(), T0, T0), new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.Failover fo = r.faults().get(0).failover();
        assertThat(fo.outage()).isFalse();
        assertThat(fo.partitions()).isEmpty();
        assertThat(check(r, "failover[kill-primary]").passed()).isTrue();
        assertThat(check(r, "failover[kill-primary]").summary()).startsWith("no outage");
    }

    @Test
    void everyStoppedPartitionIsListedAndTheWorstBoundsTheFailover() {
        Verifier.Result r = Verifier.verify(spread(3, Set.of(0, 1, 2), T0.plusMillis(4000), T0.plusMillis(7000)),
                new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.Failover fo = r.faults().get(0).failover();
        assertThat(fo.partitions()).extracting(FaultRecord.PartitionGap::partition).containsExactly(0, 1, 2);
        assertThat(fo.upperMs()).isBetween(3_000L, 3_300L);
        assertThat(check(r, "failover[kill-primary]").passed()).isTrue();
    }

    @Test
    void aRebalancePauseOnTheOtherPartitionsIsNotTheirOutage() {
        // Partition 1's owner dies at 4 s (stalled until 7 s); partition 2 pauses 300 ms while the
        // group rebalances at 7 s, as every member does when one leaves.
        History h = spread(3, Set.of(1, 2), T0.plusMillis(4000), T0.plusMillis(7000));
        List<Observation> observed = new ArrayList<>();
        for (Observation o : h.observations()) {
            boolean p2 = o.partition() == 2;
            Instant sentAt = T0.plus(INTERVAL.multipliedBy(Long.parseLong(o.id().substring(2))));
            boolean inPause = !sentAt.isBefore(T0.plusMillis(6700)) && sentAt.isBefore(T0.plusMillis(7000));
            // Partition 2 flows normally but for canaries sent in the 300 ms before 7 s.
            Instant seen = !p2 ? o.observedAt() : inPause ? T0.plusMillis(7000).plus(LATENCY) : sentAt.plus(LATENCY);
            observed.add(new Observation(o.id(), seen, o.partition(), o.offset(), o.processedBy(), o.inputOffset()));
        }
        History paused = new History(h.runId(), h.sent(), observed, h.faults(), h.canaryInterval(),
                h.sendingStoppedAt(), h.observedUntil(), h.circuits(), h.committed(), h.alerts(), h.probes());

        FaultRecord.Failover fo = Verifier.verify(paused, new ChecksSpec(Duration.ofSeconds(5), 0L, 0L)).faults().get(0)
                .failover();

        assertThat(fo.partitions()).extracting(FaultRecord.PartitionGap::partition).containsExactly(1);
        assertThat(fo.upperMs()).isBetween(3_000L, 3_300L);
    }
}

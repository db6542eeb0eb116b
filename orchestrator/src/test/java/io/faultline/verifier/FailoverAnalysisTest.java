package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Failover analysis: the outage a fault caused, its recovery as a bound, per partition, and the catch-up. */
class FailoverAnalysisTest extends VerifierFixture {
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
    void ignoresGapsShorterThanTheOutageThreshold() {
        Builder b = new Builder(500, Set.of());
        // A 60 ms hiccup (three missing completions) is jitter, not an outage.
        b.observed.removeIf(o -> o.offset() >= 200 && o.offset() < 203);
        b.sent.removeIf(e -> e.seq() >= 200 && e.seq() < 203);
        Verifier.Result r = Verifier.verify(b.fault(T0.plusSeconds(4), T0.plusSeconds(4)).history(), ChecksSpec.DEFAULTS);
        assertThat(r.faults().get(0).failover().outage()).isFalse();
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
    void aSubSecondHandOverIsAShortOutageWithABoundThatHoldsIt() {
        // A graceful hand-over: partition 1's canaries sent from the signal at 4 s wait 300 ms for
        // the new owner, under the 500 ms outage threshold; the others flow on.
        Verifier.Result r = Verifier.verify(spread(3, Set.of(1), T0.plusMillis(4000), T0.plusMillis(4300)),
                new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.Failover fo = r.faults().get(0).failover();
        assertThat(fo.outage()).isTrue();
        assertThat(fo.recovered()).isTrue();
        assertThat(fo.partitions()).extracting(FaultRecord.PartitionGap::partition).containsExactly(1);
        // The stop ends when the first waiting canary comes out: 4.3 s plus the 200 ms latency.
        assertThat(fo.upperMs()).isBetween(500L, 520L);
        assertThat(fo.lowerMs()).isBetween(490L, 510L);
        assertThat(fo.availabilityGapMs()).isBetween(300L, 360L);
        CheckResult failover = check(r, "failover[kill-primary]");
        assertThat(failover.passed()).isTrue();
        assertThat(failover.summary()).startsWith("recovered ").contains("partition 1 (gap ");
    }

    @Test
    void withTheGroupsAccountAShortStopIsTheFaultsOnlyWhenTheGroupHandedThePartitionOver() {
        History h = spread(3, Set.of(1), T0.plusMillis(4000), T0.plusMillis(4300));
        List<History.Ownership> kept = List.of(new History.Ownership(0, "listener-1", T0),
                new History.Ownership(1, "listener-2", T0), new History.Ownership(2, "listener-3", T0));
        // The group kept every partition where it was: the stop was a stall of its owner, not a hand-over.
        assertThat(Verifier.verify(withOwners(h, kept), new ChecksSpec(Duration.ofSeconds(5), 0L, 0L)).faults().get(0)
                .failover().outage()).isFalse();
        // The group handed partition 1 from listener-2 (signalled) to listener-3 at 4.2 s.
        List<History.Ownership> handed = new ArrayList<>(kept);
        handed.add(new History.Ownership(1, "listener-3", T0.plusMillis(4200)));
        FaultRecord.Failover fo = Verifier.verify(withOwners(h, handed), new ChecksSpec(Duration.ofSeconds(5), 0L, 0L))
                .faults().get(0).failover();
        assertThat(fo.outage()).isTrue();
        assertThat(fo.partitions()).singleElement().satisfies(g -> {
            assertThat(g.partition()).isEqualTo(1);
            assertThat(g.ownerBefore()).isEqualTo("listener-2");
            assertThat(g.ownerAfter()).isEqualTo("listener-3");
        });
    }

    private static History withOwners(History h, List<History.Ownership> owners) {
        return new History(h.runId(), h.sent(), h.observations(), h.faults(), h.canaryInterval(),
                h.sendingStoppedAt(), h.observedUntil(), h.circuits(), h.committed(), h.alerts(), h.probes(),
                h.health(), h.folded(), owners);
    }

    @Test
    void aStopThatBeginsLongAfterTheFaultTookEffectIsNotItsShortOutage() {
        // The same 300 ms stop, 3 s after the fault was applied: jitter on a loaded host, not the fault.
        Verifier.Result r = Verifier.verify(spread(3, Set.of(1), T0.plusMillis(7000), T0.plusMillis(7300)),
                new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        assertThat(r.faults().get(0).failover().outage()).isFalse();
        assertThat(check(r, "failover[kill-primary]").summary()).startsWith("no outage");
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

    /** Where canaries of some partitions were held between two times: they all came out at its end. */
    private record Stall(Set<Integer> partitions, long fromMs, long untilMs) {
    }

    /**
     * 30 s of canaries every 20 ms over three partitions, a fault invoked at 4 s and undone at
     * {@code undoneMs}, and the stalls given.
     */
    private static History stalled(long undoneMs, Stall... stalls) {
        Builder b = new Builder(0, Set.of());
        int n = 1500;
        for (long seq = 0; seq < n; seq++) {
            Instant at = T0.plus(INTERVAL.multipliedBy(seq));
            int p = (int) (seq % 3);
            b.sent.add(new SentEvent(seq, "r:" + seq, "k" + p, at, at.plusMillis(2), p, seq / 3));
            Instant seen = at.plus(LATENCY);
            for (Stall s : stalls) {
                long ms = Duration.between(T0, seen).toMillis();
                if (s.partitions().contains(p) && ms >= s.fromMs() && ms < s.untilMs()) {
                    seen = T0.plusMillis(s.untilMs()).plusMillis(seq % 5);
                }
            }
            b.observed.add(new Observation("r:" + seq, seen, p, seq / 3, "listener-1", seq / 3));
        }
        b.stopped = T0.plus(INTERVAL.multipliedBy(n));
        for (int p = 0; p < 3; p++) {
            b.committed.put(p, (long) n / 3 + 1);
        }
        b.observed.sort(Comparator.comparing(Observation::observedAt));
        Instant invoked = T0.plusSeconds(4);
        b.faults.add(new FaultWindow("kill-owner", "cmd-1", "agent-1", "process.kill", invoked, invoked.plusMillis(10),
                T0.plusMillis(undoneMs - 10), T0.plusMillis(undoneMs)));
        return b.history();
    }

    @Test
    void aLaterStallElsewhereIsReportedBesideTheFailoverAndDoesNotExtendIt() {
        // Partition 2's owner is killed at 4 s and its partition is taken over at 7.7 s; 8.8 s
        // after the kill, while the fault still holds, partition 0 stalls for 729 ms (a survivor
        // paused on a loaded host). The failover is the takeover, not the stall.
        History h = stalled(20_000, new Stall(Set.of(2), 4_000, 7_700), new Stall(Set.of(0), 12_800, 13_529));
        Verifier.Result r = Verifier.verify(h, new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.Failover fo = r.faults().get(0).failover();

        assertThat(fo.partitions()).extracting(FaultRecord.PartitionGap::partition).containsExactly(2);
        assertThat(fo.upperMs()).isBetween(3_700L, 3_800L);
        assertThat(fo.others()).singleElement().satisfies(d -> {
            assertThat(d.partitions()).containsExactly(0);
            assertThat(d.gapMs()).isBetween(729L, 800L);
            assertThat(d.from()).isAfter(T0.plusMillis(12_700));
        });
        assertThat(fo.afterHeal()).isNull();
        CheckResult failover = check(r, "failover[kill-owner]");
        assertThat(failover.passed()).isTrue();
        assertThat(failover.summary()).contains("partition 2 (gap ").contains("not this fault's failover")
                .contains("partition 0");
    }

    @Test
    void theRejoinAfterHealIsItsOwnFigure() {
        // restart: true. Partition 1 is taken over 3 s after the kill; the fault is undone at 12 s
        // and the restarted member rejoins at 20 s: every partition pauses 700 ms for the rebalance.
        History h = stalled(12_000, new Stall(Set.of(1), 4_000, 7_000), new Stall(Set.of(0, 1, 2), 20_000, 20_700));
        Verifier.Result r = Verifier.verify(h, new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.Failover fo = r.faults().get(0).failover();

        assertThat(fo.upperMs()).isBetween(3_000L, 3_100L);
        assertThat(fo.partitions()).extracting(FaultRecord.PartitionGap::partition).containsExactly(1);
        assertThat(fo.afterHeal()).isNotNull();
        assertThat(fo.afterHeal().partitions()).containsExactly(0, 1, 2);
        assertThat(fo.afterHeal().gapMs()).isBetween(700L, 800L);
        assertThat(fo.others()).isEmpty();
        assertThat(check(r, "failover[kill-owner]").passed()).isTrue();
        assertThat(check(r, "failover[kill-owner]").summary()).contains("after heal");
        assertThat(r.checks()).extracting(CheckResult::name).doesNotContain("rejoin[kill-owner]");

        Verifier.Result judged = Verifier.verify(h, new ChecksSpec(Duration.ofSeconds(5), 0L, 0L)
                .withRejoin(Duration.ofMillis(500)));
        CheckResult rejoin = check(judged, "rejoin[kill-owner]");
        assertThat(rejoin.passed()).isFalse();
        assertThat(rejoin.summary()).startsWith("partitions 0, 1, 2 stopped ").contains("after heal")
                .endsWith("over the 500 ms limit");
        assertThat(check(Verifier.verify(h, new ChecksSpec(Duration.ofSeconds(5), 0L, 0L)
                .withRejoin(Duration.ofSeconds(2))), "rejoin[kill-owner]").passed()).isTrue();
    }

    @Test
    void aTakeoverThatOutlastsTheFaultIsStillItsFailover() {
        // Undone at 5 s, but partition 1 flows again only at 9 s: the disruption began while the fault held.
        History h = stalled(5_000, new Stall(Set.of(1), 4_000, 9_000));
        FaultRecord.Failover fo = Verifier.verify(h, new ChecksSpec(Duration.ofSeconds(10), 0L, 0L)).faults().get(0)
                .failover();
        assertThat(fo.outage()).isTrue();
        assertThat(fo.upperMs()).isBetween(5_000L, 5_100L);
        assertThat(fo.afterHeal()).isNull();
    }

    @Test
    void eachStoppedPartitionNamesItsOldAndNewOwnerFromTheGroupsOwnAccount() {
        History h = stalled(20_000, new Stall(Set.of(2), 4_000, 7_700));
        List<History.Ownership> owners = List.of(
                new History.Ownership(0, "listener-1", T0), new History.Ownership(1, "listener-2", T0),
                new History.Ownership(2, "listener-3", T0),
                // The group takes partition 2 from the killed member at 7.1 s and gives it to listener-1.
                new History.Ownership(2, null, T0.plusMillis(7_100)),
                new History.Ownership(2, "listener-1", T0.plusMillis(7_600)));
        History watched = new History(h.runId(), h.sent(), h.observations(), h.faults(), h.canaryInterval(),
                h.sendingStoppedAt(), h.observedUntil(), h.circuits(), h.committed(), h.alerts(), h.probes(),
                h.health(), h.folded(), owners);
        Verifier.Result r = Verifier.verify(watched, new ChecksSpec(Duration.ofSeconds(5), 0L, 0L));
        FaultRecord.PartitionGap gap = r.faults().get(0).failover().partitions().get(0);
        assertThat(gap.partition()).isEqualTo(2);
        assertThat(gap.ownerBefore()).isEqualTo("listener-3");
        assertThat(gap.ownerAfter()).isEqualTo("listener-1");
        assertThat(gap.handedOverAt()).isEqualTo(T0.plusMillis(7_600));
        // The bound contains the hand-over the group itself reports.
        assertThat(r.faults().get(0).failover().recoveredAt()).isAfterOrEqualTo(gap.handedOverAt());
        assertThat(check(r, "failover[kill-owner]").summary())
                .contains("partition 2 (gap ", "handed over by the group from listener-3 to listener-1 3.6 s after the fault");
    }
}

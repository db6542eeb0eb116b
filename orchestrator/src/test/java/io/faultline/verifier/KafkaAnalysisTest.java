package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.report.Reports;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the cluster did during a fault, from its sampled metadata, and {@code checks.kafka} on it. */
class KafkaAnalysisTest extends VerifierFixture {
    private static final Instant INVOKED = T0.plusSeconds(5);
    private static final Instant APPLIED = INVOKED.plusMillis(40);
    private static final Instant HEALED = INVOKED.plusSeconds(15);

    private static History.ClusterChange leader(long ms, Integer node) {
        return new History.ClusterChange(T0.plusMillis(ms), History.ClusterChange.Kind.LEADER, "orders-0", node, null);
    }

    private static History.ClusterChange isr(long ms, int inSync) {
        return new History.ClusterChange(T0.plusMillis(ms), History.ClusterChange.Kind.ISR, "orders-0", inSync, 3);
    }

    private static History.ClusterChange controller(long ms, int node) {
        return new History.ClusterChange(T0.plusMillis(ms), History.ClusterChange.Kind.CONTROLLER, null, node, null);
    }

    /** The leader of orders-0 (node 1, also the controller) killed at 5 s: leaderless, node 2 elected, ISR 2 of 3. */
    private static History killedLeader(List<History.ClusterChange> more) {
        List<History.ClusterChange> changes = new ArrayList<>(List.of(leader(0, 1), isr(0, 3), controller(0, 1),
                leader(5_250, null), isr(6_000, 2), controller(6_000, 3), leader(7_500, 2)));
        changes.addAll(more);
        History h = new Builder(1000, Set.of()).fault(INVOKED, APPLIED).history();
        return History.builder(h.runId()).canaries(h.sent(), h.observations(), List.of()).faults(h.faults())
                .canaryInterval(h.canaryInterval()).until(h.sendingStoppedAt(), h.observedUntil())
                .committed(h.committed())
                .kafka(new History.KafkaView(changes, Map.of("NOT_LEADER_OR_FOLLOWER", 3L), 250)).build();
    }

    private static ChecksSpec limits(Duration election, Duration under) {
        return new ChecksSpec(null, 0L, 0L, null, null, null, null, null, null, null, null, null, null,
                new ChecksSpec.KafkaLimits(election, under));
    }

    @Test
    void aKilledLeaderGivesItsElectionTheLeaderlessTimeTheUnderReplicationAndTheNewController() {
        Verifier.Result r = Verifier.verify(killedLeader(List.of()), limits(null, null));

        FaultRecord.Kafka k = r.faults().get(0).kafka();
        assertThat(k.elections()).containsExactly(new FaultRecord.Election("orders-0", 1, 2, T0.plusMillis(7_500),
                7_500 - 5_000, 2_250));
        assertThat(k.underReplicated()).containsExactly(new FaultRecord.UnderReplication("orders-0", 2, 3,
                T0.plusMillis(6_000), null, 25_000 - 6_000));
        assertThat(k.controllers()).containsExactly(new FaultRecord.ControllerChange(1, 3, T0.plusMillis(6_000)));
        assertThat(k.resolutionMs()).isEqualTo(250);
        assertThat(r.canary().sendErrors()).containsExactly(Map.entry("NOT_LEADER_OR_FOLLOWER", 3L));
        assertThat(r.checks()).noneMatch(c -> c.name().startsWith("leaderElection"));
    }

    @Test
    void aStretchTheClusterDidNotAnswerIsTheResolutionOfTheFaultItFallsIn() {
        // The frozen leader's cluster answered nothing from 5.1 s to 18.1 s: the election seen at 18.1 s
        // happened some time in those 13 s, and the figures say they are good to 13 s, not to 250 ms.
        History h = killedLeader(List.of(new History.ClusterChange(T0.plusMillis(5_100),
                History.ClusterChange.Kind.BLIND, null, 13_000, null)));
        FaultRecord.Kafka k = Verifier.verify(h, limits(Duration.ofSeconds(30), null)).faults().get(0).kafka();
        assertThat(k.resolutionMs()).isEqualTo(13_000);
        assertThat(k.elections()).hasSize(1);
        // A stretch before the fault says nothing about it.
        History before = killedLeader(List.of(new History.ClusterChange(T0.plusMillis(1_000),
                History.ClusterChange.Kind.BLIND, null, 2_000, null)));
        assertThat(Verifier.verify(before, limits(null, null)).faults().get(0).kafka().resolutionMs()).isEqualTo(250);
    }

    @Test
    void anElectionOverItsLimitOrAPartitionStillUnderReplicatedAtTheEndFails() {
        History h = killedLeader(List.of());
        CheckResult slow = check(Verifier.verify(h, limits(Duration.ofSeconds(2), null)), "leaderElection[kill-primary]");
        assertThat(slow.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
        assertThat(slow.summary()).contains("orders-0 1 -> 2 took 2500 ms");
        assertThat(check(Verifier.verify(h, limits(Duration.ofSeconds(5), null)), "leaderElection[kill-primary]")
                .passed()).isTrue();

        CheckResult open = check(Verifier.verify(h, limits(null, Duration.ofSeconds(60))),
                "underReplicated[kill-primary]");
        assertThat(open.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
        assertThat(open.summary()).contains("orders-0 still 2/3 in sync when the run ended");

        History rejoined = killedLeader(List.of(isr(12_000, 3)));
        CheckResult whole = check(Verifier.verify(rejoined, limits(null, Duration.ofSeconds(60))),
                "underReplicated[kill-primary]");
        assertThat(whole.passed()).isTrue();
        assertThat(whole.measured()).isEqualTo(6_000.0);
    }

    @Test
    void anElectionAfterHealIsTimedFromTheHealAndAPartitionNeverLedAgainIsNamed() {
        History moved = killedLeader(List.of(leader(HEALED.toEpochMilli() - T0.toEpochMilli() + 200, 1)));
        List<FaultRecord.Election> e = Verifier.verify(moved, limits(null, null)).faults().get(0).kafka().elections();
        assertThat(e).hasSize(2);
        assertThat(e.get(1)).isEqualTo(new FaultRecord.Election("orders-0", 2, 1, HEALED.plusMillis(200), 200, 0));

        // The last fault's window runs to the last sample, past the drain: an undo confirmed late is in it.
        History late = killedLeader(List.of(leader(27_000, 1)));
        assertThat(Verifier.verify(late, limits(null, null)).faults().get(0).kafka().elections()).last()
                .isEqualTo(new FaultRecord.Election("orders-0", 2, 1, T0.plusMillis(27_000), 7_000, 0));

        History leaderless = killedLeader(List.of(leader(9_000, null)));
        CheckResult none = check(Verifier.verify(leaderless, limits(Duration.ofSeconds(30), null)),
                "leaderElection[kill-primary]");
        assertThat(none.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
        assertThat(none.summary()).contains("orders-0 had no leader for 16000 ms, still none at the end");
    }

    @Test
    void theInputLogsLeaderEpochsSayHowLongTheElectedPartitionTookNoWrite() {
        // Leader 1 -> 2 seen at 7.5 s. The log: the last canary of epoch 4 acknowledged at 5.2 s,
        // the first of epoch 5 at 7.6 s; an epoch change on another partition, and one before the
        // fault, answer nothing here.
        // Two quick bumps beside it are not the election: one of 10 ms just after the fault, and one whose
        // old epoch's last canary came after the new leader was seen (the partition changed again).
        History h = withReadBack(killedLeader(List.of()), new History.ReadBack(1000, 1000, List.of(), 0, null, List.of(
                new History.EpochChange("orders-0", 2, 3, T0.plusMillis(1_000), T0.plusMillis(1_100)),
                new History.EpochChange("orders-1", 7, 8, T0.plusMillis(5_300), T0.plusMillis(7_400)),
                new History.EpochChange("orders-0", 3, 4, T0.plusMillis(5_050), T0.plusMillis(5_060)),
                new History.EpochChange("orders-0", 4, 5, T0.plusMillis(5_200), T0.plusMillis(7_600)),
                new History.EpochChange("orders-0", 5, 6, T0.plusMillis(7_510), T0.plusMillis(7_527)))));
        FaultRecord.Election e = Verifier.verify(h, limits(null, null)).faults().get(0).kafka().elections().get(0);
        assertThat(e.fromEpoch()).isEqualTo(4);
        assertThat(e.toEpoch()).isEqualTo(5);
        assertThat(e.writeGapMs()).isEqualTo(2_400);
        assertThat(e.tookMs()).as("the cluster's view stays as it was").isEqualTo(2_500);
        assertThat(Reports.cluster(Verifier.verify(h, limits(null, null)).faults().get(0).kafka()))
                .contains("orders-0 leader 1 -> 2 in 2500 ms (no leader for 2250 ms), its log: epoch 4 -> 5, no canary "
                        + "written for 2400 ms");

        // No read-back, or none of its changes in the window: the election stands without them.
        History none = withReadBack(killedLeader(List.of()), new History.ReadBack(1000, 1000, List.of(), 0, null,
                List.of(new History.EpochChange("orders-0", 3, 4, T0.plusMillis(1_000), T0.plusMillis(1_100)))));
        assertThat(Verifier.verify(none, limits(null, null)).faults().get(0).kafka().elections().get(0).writeGapMs())
                .isNull();
    }

    @Test
    void canariesNoLongerInTheLogAreTruncatedNamedOrCountedWhenFolded() {
        History h = killedLeader(List.of());
        History.KafkaView view = h.kafka();
        History whole = withReadBack(h, new History.ReadBack(1000, 1000, List.of(), 0, null));
        assertThat(check(Verifier.verify(whole, limits(null, null)), "truncated").passed()).isTrue();

        History cut = withReadBack(h, new History.ReadBack(1000, 1000, List.of(new History.Truncated("r:3", "input",
                "orders-0", 3, "gone: the log now starts at offset 40")), 36, null));
        Verifier.Result r = Verifier.verify(cut, limits(null, null));
        CheckResult truncated = check(r, "truncated");
        assertThat(truncated.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
        assertThat(truncated.summary()).startsWith("37 canaries no longer where Kafka said they were (37 acknowledged "
                + "in the input log, 36 of them folded and counted by offset, 0 observed in the output log), e.g. r:3 "
                + "at orders-0@3: gone: the log now starts at offset 40");
        assertThat(truncated.offenders()).containsExactly("r:3");
        assertThat(r.canary().truncated()).isEqualTo(37);
        assertThat(r.canary().lost()).as("observed: not the service's loss").isZero();
        assertThat(view.readBack()).isNull();
    }

    @Test
    void aCanaryGoneFromTheInputLogBeforeTheServiceReadItIsTruncatedNotLostNorUnseen() {
        // r:3 and r:4 acknowledged, never observed; the system committed past them. r:4 is still in the
        // input log (the service's loss); r:3 is not (an unclean election took it before the service read it).
        History h = new Builder(1000, Set.of(3L, 4L)).fault(INVOKED, APPLIED).history();
        History.KafkaView none = new History.KafkaView(List.of(), Map.of(), 250);
        History base = History.builder(h.runId()).canaries(h.sent(), h.observations(), List.of()).faults(h.faults())
                .canaryInterval(h.canaryInterval()).until(h.sendingStoppedAt(), h.observedUntil())
                .committed(h.committed()).kafka(none).build();
        Verifier.Result before = Verifier.verify(withReadBack(base, new History.ReadBack(1000, 998, List.of(), 0, null)),
                limits(null, null));
        assertThat(check(before, "lost").offenders()).containsExactly("r:3", "r:4");

        Verifier.Result r = Verifier.verify(withReadBack(base, new History.ReadBack(1000, 998, List.of(
                new History.Truncated("r:3", "input", "orders-0", 3, "another record")), 0, null)), limits(null, null));
        assertThat(check(r, "lost").offenders()).containsExactly("r:4");
        assertThat(r.canary().lost()).isEqualTo(1);
        assertThat(r.canary().unseen()).isZero();
        assertThat(r.canary().truncated()).isEqualTo(1);
        assertThat(check(r, "truncated").offenders()).containsExactly("r:3");
    }

    private static History.GroupLook look(long ms, String state, Integer epoch, int members, int assignment) {
        return new History.GroupLook(T0.plusMillis(ms), "order-listeners", "consumer", state, epoch, members,
                assignment);
    }

    private static History withGroup(List<History.GroupLook> looks) {
        History h = new Builder(1000, Set.of()).fault(INVOKED, APPLIED).history();
        return History.builder(h.runId()).canaries(h.sent(), h.observations(), List.of()).faults(h.faults())
                .canaryInterval(h.canaryInterval()).until(h.sendingStoppedAt(), h.observedUntil())
                .committed(h.committed())
                .kafka(new History.KafkaView(List.of(), Map.of(), 250, null, looks, 500)).build();
    }

    @Test
    void rebalancesAreTimedFromTheGroupsOwnStatesWithTheirProtocolAndJudgedAgainstTheLimit() {
        // Stable before the fault; a probe joins at 6 s (Reconciling until 8.5 s, epoch 7 -> 8, 3 -> 4 members),
        // leaves between two looks at 11 s (epoch 9), and a last rebalance never ends.
        History h = withGroup(List.of(look(0, "Stable", 7, 3, 11), look(6_000, "Reconciling", 8, 4, 11),
                look(8_500, "Stable", 8, 4, 12), look(11_000, "Stable", 9, 3, 11), look(14_000, "Assigning", 10, 4, 11)));
        ChecksSpec spec = new ChecksSpec(null, 0L, 0L, null, null, null, null, null, null, null, null, null, null,
                new ChecksSpec.KafkaLimits(null, null, Duration.ofSeconds(2)));
        Verifier.Result r = Verifier.verify(h, spec);
        List<FaultRecord.Rebalance> rb = r.faults().get(0).kafka().rebalances();
        assertThat(rb).hasSize(3);
        assertThat(rb.get(0)).isEqualTo(new FaultRecord.Rebalance("order-listeners", "consumer", T0.plusMillis(6_000),
                T0.plusMillis(8_500), 2_500, 500, 3, 4, 7, 8));
        assertThat(rb.get(1)).isEqualTo(new FaultRecord.Rebalance("order-listeners", "consumer", T0.plusMillis(11_000),
                T0.plusMillis(11_000), 0, 500, 4, 3, 8, 9));
        assertThat(rb.get(2).until()).isNull();
        assertThat(rb.get(2).membersAfter()).isEqualTo(4);
        CheckResult c = check(r, "rebalance[kill-primary]");
        assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
        assertThat(c.summary()).startsWith("3 rebalance(s) of order-listeners (consumer protocol), the longest 11000 ms"
                + " (resolution 500 ms), over the 2000 ms limit")
                .contains("order-listeners rebalanced for 2500 ms (3 -> 4 members)",
                        "order-listeners still rebalancing when the run ended");

        // Before the fault, nothing counts; a group that stays stable passes.
        History calm = withGroup(List.of(look(0, "Stable", 7, 3, 11), look(1_000, "PreparingRebalance", null, 3, 11),
                look(2_000, "Stable", 7, 3, 11)));
        Verifier.Result quiet = Verifier.verify(calm, spec);
        assertThat(quiet.faults().get(0).kafka().rebalances()).isEmpty();
        assertThat(check(quiet, "rebalance[kill-primary]").summary()).isEqualTo("the group did not rebalance");
    }

    @Test
    void twoGroupsLookedAtSideBySideAreTimedEachOnItsOwnLooks() {
        History.GroupLook auditors = new History.GroupLook(T0, "auditors", "classic", "Stable", null, 1, 5);
        History h = withGroup(List.of(look(0, "Stable", 7, 3, 11), auditors,
                look(6_000, "Reconciling", 8, 4, 11),
                new History.GroupLook(T0.plusMillis(6_200), "auditors", "classic", "PreparingRebalance", null, 2, 5),
                look(6_500, "Stable", 8, 4, 12),
                new History.GroupLook(T0.plusMillis(9_200), "auditors", "classic", "Stable", null, 2, 6)));
        List<FaultRecord.Rebalance> rb = Verifier.verify(h, limits(null, null)).faults().get(0).kafka().rebalances();
        assertThat(rb).extracting(FaultRecord.Rebalance::group, FaultRecord.Rebalance::protocol, FaultRecord.Rebalance::ms)
                .containsExactly(tuple("order-listeners", "consumer", 500L),
                        tuple("auditors", "classic", 3_000L));
    }

    private static History withReadBack(History h, History.ReadBack readBack) {
        History.KafkaView v = h.kafka();
        return History.builder(h.runId()).canaries(h.sent(), h.observations(), List.of()).faults(h.faults())
                .canaryInterval(h.canaryInterval()).until(h.sendingStoppedAt(), h.observedUntil())
                .committed(h.committed())
                .kafka(new History.KafkaView(v.changes(), v.sendErrors(), v.intervalMs(), readBack)).build();
    }
}

package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
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

    private static History withReadBack(History h, History.ReadBack readBack) {
        History.KafkaView v = h.kafka();
        return History.builder(h.runId()).canaries(h.sent(), h.observations(), List.of()).faults(h.faults())
                .canaryInterval(h.canaryInterval()).until(h.sendingStoppedAt(), h.observedUntil())
                .committed(h.committed())
                .kafka(new History.KafkaView(v.changes(), v.sendErrors(), v.intervalMs(), readBack)).build();
    }
}

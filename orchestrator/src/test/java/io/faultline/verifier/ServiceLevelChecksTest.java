package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.StopCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** Latency percentiles over the run and per phase, throughput during a fault, health after heal. */
class ServiceLevelChecksTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(20);
    /** 30 s of canaries at 50/s; the fault is held from 10 s to 20 s. */
    private static final int COUNT = 1500;
    private static final Instant INVOKED = T0.plusSeconds(10);
    private static final Instant HEALED = T0.plusSeconds(20);
    private static final FaultWindow FAULT = new FaultWindow("kill-secondary", "cmd-1", "agent-2", "process.kill",
            INVOKED, INVOKED.plusMillis(50), HEALED, HEALED.plusMillis(40));

    /** Canary {@code seq} completes {@code latency(seq)} ms after it was sent. */
    private static History history(LongUnaryOperator latency, List<History.ProbeSample> samples,
                                   List<History.HealthWatch> health) {
        List<SentEvent> sent = new ArrayList<>();
        List<Observation> observed = new ArrayList<>();
        for (long seq = 0; seq < COUNT; seq++) {
            Instant at = T0.plus(INTERVAL.multipliedBy(seq));
            sent.add(new SentEvent(seq, "r:" + seq, "k" + seq % 4, at, at.plusMillis(2), 0, seq));
            observed.add(new Observation("r:" + seq, at.plusMillis(latency.applyAsLong(seq)), 0, seq, "l", seq));
        }
        Instant stopped = T0.plus(INTERVAL.multipliedBy(COUNT));
        return new History("r", sent, observed, List.of(FAULT), INTERVAL, stopped, stopped.plusSeconds(15), List.of(),
                Map.of(0, (long) COUNT), List.of(), samples, health);
    }

    private static History history(LongUnaryOperator latency) {
        return history(latency, List.of(), List.of());
    }

    private static boolean during(long seq) {
        Instant at = T0.plus(INTERVAL.multipliedBy(seq));
        return !at.isBefore(INVOKED) && at.isBefore(HEALED);
    }

    private static CheckResult check(Verifier.Result r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + r.checks()));
    }

    private static ChecksSpec spec(ChecksSpec.LatencyLimits latency, ChecksSpec.ThroughputLimit throughput,
                                   ChecksSpec.Healthy healthy) {
        return ChecksSpec.DEFAULTS.withServiceLevels(latency, throughput, healthy);
    }

    private static Duration ms(long ms) {
        return Duration.ofMillis(ms);
    }

    @Test
    void everyRunReportsItsLatencyPercentilesAndPhasesWithoutJudgingThemWhenNoLimitIsSet() {
        Verifier.Result r = Verifier.verify(history(seq -> seq % 100 == 0 ? 900 : 200), ChecksSpec.DEFAULTS);

        CheckResult run = check(r, "percentiles[run]");
        assertThat(run.passed()).isTrue();
        assertThat(run.threshold()).isNull();
        // 1% of canaries at 900 ms: the nearest-rank p99 is still 200 ms, the max 900.
        assertThat(run.summary()).startsWith("p50/p95/p99/max 200/200/200/900 ms over 1500 canaries sent in the run");
        assertThat(r.canary().run().maxMs()).isEqualTo(900);
        assertThat(r.canary().phases()).extracting(CanaryStats.Phase::name)
                .containsExactly("before", "during kill-secondary", "after kill-secondary");
        // The first second held a 900 ms canary: warm-up by the steady-state rule, so before starts at 1 s.
        assertThat(r.canary().phases().get(0).from()).isEqualTo(T0.plusSeconds(1));
        assertThat(r.canary().phases()).extracting(CanaryStats.Phase::sent).containsExactly(450L, 502L, 498L);
        assertThat(r.canary().phases().get(0).throughputPerSecond()).isBetween(49.0, 51.0);
    }

    @Test
    void aP99OverItsLimitFailsTheRunAndNamesThePercentile() {
        // 2% of canaries at 900 ms: p99 is 900 ms.
        History h = history(seq -> seq % 50 == 0 ? 900 : 200);
        ChecksSpec.LatencyLimits p99 = new ChecksSpec.LatencyLimits(null, null, ms(500), null, null, null, null);

        CheckResult run = check(Verifier.verify(h, spec(p99, null, null)), "percentiles[run]");

        assertThat(run.passed()).isFalse();
        assertThat(run.measured()).isEqualTo(900.0);
        assertThat(run.threshold()).isEqualTo(500.0);
        assertThat(run.summary()).contains("over the limit: p99 900 ms > 500 ms");
        ChecksSpec.LatencyLimits loose = new ChecksSpec.LatencyLimits(null, null, ms(1000), null, null, null, null);
        assertThat(check(Verifier.verify(h, spec(loose, null, null)), "percentiles[run]").passed()).isTrue();
    }

    @Test
    void phaseLimitsJudgeEachPhaseOnItsOwnCanaries() {
        History h = history(seq -> during(seq) ? 3000 : 150);
        ChecksSpec.Percentiles tight = new ChecksSpec.Percentiles(null, null, ms(500), null);
        ChecksSpec.Percentiles loose = new ChecksSpec.Percentiles(null, null, ms(5000), null);

        Verifier.Result r = Verifier.verify(h, spec(new ChecksSpec.LatencyLimits(null, null, null, null, tight, tight,
                tight), null, null));

        assertThat(check(r, "percentiles[before]").passed()).isTrue();
        assertThat(check(r, "percentiles[during kill-secondary]").passed()).isFalse();
        assertThat(check(r, "percentiles[during kill-secondary]").measured()).isEqualTo(3000.0);
        assertThat(check(r, "percentiles[after kill-secondary]").passed()).isTrue();
        Verifier.Result tolerant = Verifier.verify(h, spec(new ChecksSpec.LatencyLimits(null, null, null, null, null,
                loose, null), null, null));
        assertThat(check(tolerant, "percentiles[during kill-secondary]").passed()).isTrue();
        assertThat(tolerant.checks()).extracting(CheckResult::name).doesNotContain("percentiles[before]");
    }

    @Test
    void throughputThatHoldsDuringAFaultPassesAndAStallFails() {
        ChecksSpec kept = spec(null, new ChecksSpec.ThroughputLimit("90%"), null);
        CheckResult unchanged = check(Verifier.verify(history(seq -> 200), kept), "throughput[kill-secondary]");
        assertThat(unchanged.passed()).isTrue();
        assertThat(unchanged.measured()).isBetween(95.0, 105.0);

        // Nothing completes while the fault is held: everything sent then comes out just after heal.
        History stalled = history(seq -> during(seq)
                ? Duration.between(T0.plus(INTERVAL.multipliedBy(seq)), HEALED).toMillis() + 100 : 200);
        CheckResult dropped = check(Verifier.verify(stalled, kept), "throughput[kill-secondary]");
        assertThat(dropped.passed()).isFalse();
        assertThat(dropped.measured()).isLessThan(5.0);
        assertThat(dropped.summary()).contains("under the 90% it must keep");
    }

    private static History.ProbeSample sample(String subject, long secondsAfterT0, boolean ok) {
        return new History.ProbeSample(subject, T0.plusSeconds(secondsAfterT0), ok, ok ? "3 members" : "2 members");
    }

    private static List<History.ProbeSample> members(boolean... okFromSecond20) {
        List<History.ProbeSample> out = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            out.add(sample("group order-listeners", s, s < 10));
        }
        for (int i = 0; i < okFromSecond20.length; i++) {
            out.add(sample("group order-listeners", 20 + i, okFromSecond20[i]));
        }
        return out;
    }

    private static final List<History.HealthWatch> GROUP =
            List.of(new History.HealthWatch("kill-secondary", "group order-listeners"));

    @Test
    void aTargetThatComesBackAfterHealIsHealthyAndTheTimeItTookIsTheFigure() {
        History h = history(seq -> 200, members(false, false, false, true, true, true), GROUP);

        CheckResult healthy = check(Verifier.verify(h, ChecksSpec.DEFAULTS), "healthy[kill-secondary]");

        assertThat(healthy.passed()).isTrue();
        assertThat(healthy.measured()).isEqualTo(2960.0); // back at 23 s, healed (undone) at 20.04 s
        assertThat(healthy.summary()).contains("group order-listeners: 3 members");
        CheckResult late = check(Verifier.verify(h, spec(null, null, new ChecksSpec.Healthy(ms(2000), null))),
                "healthy[kill-secondary]");
        assertThat(late.passed()).isFalse();
        assertThat(late.summary()).contains("later than the 2000 ms allowed");
    }

    @Test
    void aServiceThatDiesAfterItsHealFailsTheRun() {
        History h = history(seq -> 200, members(true, true, true, false, false), GROUP);

        CheckResult healthy = check(Verifier.verify(h, ChecksSpec.DEFAULTS), "healthy[kill-secondary]");

        assertThat(healthy.passed()).isFalse();
        assertThat(healthy.summary()).isEqualTo("not healthy after heal: group order-listeners: 2 members at the end of "
                + "the run");
    }

    @Test
    void aNamedProbeJudgesHealthForEveryFaultAndAFaultWithNothingToWatchHasNoHealthCheck() {
        assertThat(Verifier.verify(history(seq -> 200), ChecksSpec.DEFAULTS).checks()).extracting(CheckResult::name)
                .noneMatch(n -> n.startsWith("healthy"));

        List<History.ProbeSample> api = List.of(new History.ProbeSample("orders-api", HEALED.plusSeconds(1), false, "503"),
                new History.ProbeSample("orders-api", HEALED.plusSeconds(2), false, "503"));
        CheckResult down = check(Verifier.verify(history(seq -> 200, api, List.of()),
                spec(null, null, new ChecksSpec.Healthy(null, "orders-api"))), "healthy[kill-secondary]");

        assertThat(down.passed()).isFalse();
        assertThat(down.summary()).contains("orders-api: 503 at the end of the run");
    }

    @Test
    void aFaultsLatencyBaselineLeavesOutTheFaultBeforeIt() {
        // A first fault from 5 s to 9 s slows its canaries to 2.5 s; the second comes at 10 s.
        FaultWindow first = new FaultWindow("slow-first", "cmd-0", "agent-1", "network.delay", T0.plusSeconds(5),
                T0.plusSeconds(5), T0.plusSeconds(9), T0.plusSeconds(9));
        List<SentEvent> sent = new ArrayList<>();
        List<Observation> observed = new ArrayList<>();
        for (long seq = 0; seq < COUNT; seq++) {
            Instant at = T0.plus(INTERVAL.multipliedBy(seq));
            boolean slow = !at.isBefore(T0.plusSeconds(5)) && at.isBefore(T0.plusSeconds(9));
            sent.add(new SentEvent(seq, "r:" + seq, "k" + seq % 4, at, at.plusMillis(2), 0, seq));
            observed.add(new Observation("r:" + seq, at.plusMillis(slow ? 2500 : 200), 0, seq, "l", seq));
        }
        Instant stopped = T0.plus(INTERVAL.multipliedBy(COUNT));
        History h = new History("r", sent, observed, List.of(first, FAULT), INTERVAL, stopped, stopped.plusSeconds(15),
                List.of(), Map.of(0, (long) COUNT), List.of(), List.of(), List.of());

        var second = Verifier.verify(h, ChecksSpec.DEFAULTS).faults().get(1);

        assertThat(second.name()).isEqualTo("kill-secondary");
        assertThat(second.latency().baselineP99Ms()).as("the baseline is the steady state after the first fault")
                .isEqualTo(200);
    }

    @Test
    void aRunWithoutACanaryIsJudgedByItsProbesAndHealthAlone() {
        List<History.ProbeSample> health = List.of(
                new History.ProbeSample("service of agent-2", HEALED.plusSeconds(1), true, "running"),
                new History.ProbeSample("orders-api", HEALED.plusSeconds(1), true, "200"),
                new History.ProbeSample("orders-api", HEALED.plusSeconds(2), false, "503"));
        History h = new History("r", List.of(), List.of(), List.of(FAULT), Duration.ZERO, HEALED.plusSeconds(3),
                HEALED.plusSeconds(3), List.of(), Map.of(), List.of(), health,
                List.of(new History.HealthWatch("kill-secondary", "service of agent-2")));
        ProbeSpec api = new ProbeSpec("orders-api",
                new StopCondition.HttpProbeSpec("http://api/health", 200, null, null, null, null,
                        null, null, null), null, null, null, ProbeSpec.Mode.AFTER, null, null);

        Verifier.Result r = Verifier.verify(h, ChecksSpec.DEFAULTS, List.of(api));

        assertThat(h.hasCanary()).isFalse();
        assertThat(r.canary()).isNull();
        assertThat(r.checks()).extracting(CheckResult::name).containsExactly("healthy[kill-secondary]",
                "probe[orders-api]", "undone");
        assertThat(check(r, "healthy[kill-secondary]").passed()).isTrue();
        assertThat(check(r, "probe[orders-api]").passed()).as("its last sample failed").isFalse();
        assertThat(r.faults()).singleElement().satisfies(f -> {
            assertThat(f.failover()).isNull();
            assertThat(f.latency()).isNull();
            assertThat(f.undoneAt()).isEqualTo(FAULT.undoneAt());
        });
    }

    @Test
    void theSteadyStateBeforeTheFaultLeavesTheWarmUpOut() {
        // The first second's canaries take 663 ms (clients connecting, the service warming up); the
        // steady p99 is 23 ms. A 500 ms limit on the steady state holds.
        History h = history(seq -> seq < 50 ? 663 : 20 + seq % 4);
        ChecksSpec.Percentiles steady = new ChecksSpec.Percentiles(null, null, ms(500), null);
        Verifier.Result r = Verifier.verify(h, spec(new ChecksSpec.LatencyLimits(null, null, null, null, steady,
                null, null), null, null));

        CheckResult before = check(r, "percentiles[before]");
        System.out.println("  " + before.outcome() + " " + before.name() + " " + before.summary());
        assertThat(before.passed()).as(before.summary()).isTrue();
        assertThat(before.measured()).isEqualTo(23.0);
        assertThat(r.canary().phases().get(0).from()).isEqualTo(T0.plusSeconds(1));
        // The run as a whole still counts every canary.
        assertThat(r.canary().run().p99Ms()).isEqualTo(663);
    }

    @Test
    void aPhaseWithTooFewCanariesIsNotJudged() {
        // Healed at 20 s, sending stopped at 20.5 s: 25 canaries after heal, fewer than a percentile needs.
        History whole = history(seq -> 20);
        List<SentEvent> sent = whole.sent().subList(0, 1025);
        List<Observation> observed = whole.observations().subList(0, 1025);
        Instant stopped = T0.plus(INTERVAL.multipliedBy(1025));
        History h = new History("r", sent, observed, List.of(FAULT), INTERVAL, stopped, stopped.plusSeconds(15),
                List.of(), Map.of(0, 1025L), List.of(), List.of(), List.of());
        ChecksSpec.Percentiles tight = new ChecksSpec.Percentiles(null, null, ms(5), null);
        Verifier.Result r = Verifier.verify(h, spec(new ChecksSpec.LatencyLimits(null, null, null, null, null,
                null, tight), null, null));

        CheckResult after = check(r, "percentiles[after kill-secondary]");
        System.out.println("  " + after.outcome() + " " + after.name() + " " + after.summary());
        assertThat(after.outcome()).isEqualTo(CheckResult.Outcome.SKIP);
        assertThat(after.passed()).isTrue();
        assertThat(after.summary()).startsWith("not judged: ").contains("fewer than the 100 a percentile needs");
        assertThat(r.checks()).noneMatch(c -> c.outcome() == CheckResult.Outcome.FAIL);
    }
}

package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CheckResult;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.StopCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The verifier as a whole: the checks composed, and a check that throws kept from sinking the verdict. */
class VerifierTest extends VerifierFixture {
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
    void aCheckThatThrowsIsUnknownWithItsReasonInsteadOfSinkingTheVerdict() {
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

    @Test
    void aFaultWhoseUndoWasNotConfirmedFailsTheRunNamingIt() {
        Builder b = new Builder(500, Set.of());
        b.faults.add(new FaultWindow("freeze", "cmd-2", "agent-2", "process.kill", T0.plusSeconds(4),
                T0.plusSeconds(4), T0.plusSeconds(8), null));
        Verifier.Result r = Verifier.verify(b.history(), ChecksSpec.DEFAULTS);
        CheckResult undone = check(r, "undone");
        assertThat(undone.passed()).isFalse();
        assertThat(undone.summary()).startsWith("1 fault(s) with no undo confirmed by their agent")
                .endsWith("freeze (process.kill on agent-2)");
        b.faults.set(0, new FaultWindow("freeze", "cmd-2", "agent-2", "process.kill", T0.plusSeconds(4),
                T0.plusSeconds(4), T0.plusSeconds(8), T0.plusSeconds(8)));
        assertThat(check(Verifier.verify(b.history(), ChecksSpec.DEFAULTS), "undone").passed()).isTrue();
    }
}

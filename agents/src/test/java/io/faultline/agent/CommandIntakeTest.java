package io.faultline.agent;

import static io.faultline.agent.IntakeFixture.CAPABILITIES;
import static io.faultline.agent.IntakeFixture.SIGNER;
import static io.faultline.agent.IntakeFixture.T0;
import static io.faultline.agent.IntakeFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.Json;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.NetworkDelayFault;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Rejection;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandIntakeTest {
    private final CommandIntake intake = IntakeFixture.intake();

    private CommandIntake.Decision decide(byte[] record) {
        return intake.decide("agent-1", record, T0.plusSeconds(1), CAPABILITIES, null);
    }

    private static Rejection reason(CommandIntake.Decision d) {
        assertThat(d).isInstanceOf(CommandIntake.Reject.class);
        return ((CommandIntake.Reject) d).why().reason();
    }

    @Test
    void acceptsASignedCommandOnceAndRefusesItsReplay() {
        byte[] record = SIGNER.seal(stop("c-1"));
        assertThat(decide(record)).isEqualTo(new CommandIntake.Accept(stop("c-1")));
        CommandIntake.Decision again = decide(record);
        assertThat(reason(again)).isEqualTo(Rejection.REPLAYED);
        assertThat(((CommandIntake.Reject) again).commandId()).isEqualTo("c-1");
    }

    @Test
    void refusesJournaledCommandIdsAsReplaysAfterARestart() {
        intake.remember(List.of("c-1"));
        assertThat(reason(decide(SIGNER.seal(stop("c-1"))))).isEqualTo(Rejection.REPLAYED);
    }

    @Test
    void refusesForgedUnknownKeyExpiredAndHaltedCommands() {
        CommandSigner stranger = new CommandSigner("ops", KeyFiles.newKeyPair().getPrivate());
        assertThat(reason(decide(stranger.seal(stop("c-1"))))).isEqualTo(Rejection.FORGED);
        assertThat(reason(decide(new CommandSigner("intruder", KeyFiles.newKeyPair().getPrivate()).seal(stop("c-2")))))
                .isEqualTo(Rejection.UNKNOWN_KEY);
        assertThat(reason(intake.decide("agent-1", SIGNER.seal(stop("c-3")), T0.plusSeconds(16), CAPABILITIES, null)))
                .isEqualTo(Rejection.EXPIRED);
        assertThat(reason(intake.decide("agent-1", SIGNER.seal(stop("c-4")), T0.plusSeconds(1), CAPABILITIES,
                T0.plusMillis(1)))).isEqualTo(Rejection.HALTED);
        // A record that does not verify is refused under the id it claims, so the run that sent it learns why.
        CommandIntake.Decision stranger2 = decide(new CommandSigner("intruder", KeyFiles.newKeyPair().getPrivate())
                .seal(stop("c-5")));
        assertThat(((CommandIntake.Reject) stranger2).commandId()).isEqualTo("c-5");
        assertThat(((CommandIntake.Reject) stranger2).runId()).isEqualTo("run-1");
        assertThat(((CommandIntake.Reject) stranger2).faultType()).isEqualTo("process.kill");
        // None of the refused ids were remembered: the genuine command still gets through.
        assertThat(decide(SIGNER.seal(stop("c-1")))).isInstanceOf(CommandIntake.Accept.class);
    }

    @Test
    void refusesWhatThePolicyOrTheHostDoesNotAllow() {
        ApplyCommand longLease = new ApplyCommand("c-1", "run-1", Target.agent("agent-1"),
                new ProcessKillFault(Signal.STOP, ProcessSelector.SERVICE), T0, T0.plusSeconds(15), Duration.ofHours(1));
        CommandIntake.Decision d = decide(SIGNER.seal(longLease));
        assertThat(reason(d)).isEqualTo(Rejection.POLICY);
        assertThat(((CommandIntake.Reject) d).why()).hasMessage("policy: lease 1h exceeds maxLease 15m");
        ApplyCommand delay = new ApplyCommand("c-2", "run-1", Target.agent("agent-1"),
                new NetworkDelayFault(null, Duration.ofMillis(100), null), T0, T0.plusSeconds(15), Duration.ofSeconds(10));
        assertThat(reason(decide(SIGNER.seal(delay)))).isEqualTo(Rejection.UNSUPPORTED);
        RenewCommand renew = new RenewCommand("c-3", "run-1", Target.agent("agent-1"), "c-0", T0, T0.plusSeconds(5),
                Duration.ofHours(2));
        assertThat(reason(decide(SIGNER.seal(renew)))).isEqualTo(Rejection.POLICY);
    }

    @Test
    void aSignedLeaseBeyondTheLongestDurationIsRejectedWithAReasonNotAnOverflow() {
        String text = new String(Json.encode(stop("c-huge")), StandardCharsets.UTF_8);
        for (String lease : List.of("PT2562047788015215H", "PT3000000H", "PT168H1S")) {
            String huge = text.replace("\"PT10S\"", "\"" + lease + "\"");
            assertThat(huge).contains(lease);
            CommandIntake.Decision d = decide(SIGNER.sealText(huge));
            assertThat(reason(d)).as(lease).isEqualTo(Rejection.MALFORMED);
            assertThat(((CommandIntake.Reject) d).why().getMessage()).as(lease).contains("lease")
                    .doesNotContain("Exception", "com.fasterxml", "overflow");
        }
    }

    @Test
    void anOversizedRecordIsRejectedUnread() {
        byte[] huge = new byte[10 * 1024 * 1024];
        Arrays.fill(huge, (byte) '{');
        CommandIntake.Decision d = decide(huge);
        assertThat(reason(d)).isEqualTo(Rejection.MALFORMED);
        assertThat(((CommandIntake.Reject) d).why()).hasMessage("malformed: a record of 10485760 bytes is larger than any "
                + "command (at most 64 KiB); not read");
        assertThat(decide(SIGNER.seal(stop("c-1")))).isInstanceOf(CommandIntake.Accept.class);
    }

    @Test
    void anAgentWhoseIdAnotherHoldsRefusesEveryCommandItWouldTake() {
        CommandIntake.Decision d = intake.decide("agent-1", SIGNER.seal(stop("c-dup")), T0.plusSeconds(1),
                CAPABILITIES, null, "faultline.agent.agent-1");
        assertThat(reason(d)).isEqualTo(Rejection.DUPLICATE_ID);
        assertThat(((CommandIntake.Reject) d).commandId()).isEqualTo("c-dup");
        assertThat(((CommandIntake.Reject) d).why().getMessage()).isEqualTo("duplicate-id: another agent with id agent-1 holds it"
                + " (consumer group faultline.agent.agent-1); this one acts on no command");
        // A command it would refuse anyway keeps its own reason.
        assertThat(reason(intake.decide("agent-1", new byte[] {1, 2}, T0, CAPABILITIES, null, "g")))
                .isEqualTo(Rejection.MALFORMED);
    }

    @Test
    void ignoresCommandsForOtherAgents() {
        assertThat(intake.decide("agent-2", new byte[] {1, 2}, T0, CAPABILITIES, null))
                .isInstanceOf(CommandIntake.Ignore.class);
        ApplyCommand other = new ApplyCommand("c-1", "run-1", new Target("*", Map.of("role", "redis")),
                stop("x").fault(), T0, T0.plusSeconds(15), Duration.ofSeconds(10));
        assertThat(intake.decide("*", SIGNER.seal(other), T0, CAPABILITIES, null)).isInstanceOf(CommandIntake.Ignore.class);
    }
}

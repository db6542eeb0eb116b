package io.faultline.agent;

import io.faultline.agent.policy.AgentPolicy;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.CommandVerifier;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A signing key, an intake that trusts it, and a valid command to feed it. */
final class IntakeFixture {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final KeyPair KEYS = KeyFiles.newKeyPair();
    static final CommandSigner SIGNER = new CommandSigner("ops", KEYS.getPrivate());
    static final List<String> CAPABILITIES = List.of("process.kill");

    private IntakeFixture() {
    }

    static CommandIntake intake() {
        return new CommandIntake("agent-1", Map.of("role", "listener"),
                new CommandVerifier(Map.of("ops", KEYS.getPublic())), AgentPolicy.defaults(), null,
                Set.of("process.kill"));
    }

    static ApplyCommand stop(String id) {
        return new ApplyCommand(id, "run-1", Target.agent("agent-1"), new ProcessKillFault(Signal.STOP,
                ProcessSelector.SERVICE), T0, T0.plusSeconds(15), Duration.ofSeconds(10));
    }
}

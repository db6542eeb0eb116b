package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.AlertEvent;
import io.faultline.protocol.CircuitEvent;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Json;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.verifier.History;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TelemetryGateTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final KeyPair AGENT = KeyFiles.newKeyPair();
    private static final TelemetrySigner SIGNER = new TelemetrySigner("agent-1", AGENT.getPrivate());

    private final TelemetryGate gate = TelemetryGate.of(Map.of("agent-1", AGENT.getPublic()));

    private static AgentHeartbeat heartbeat(String agent, Instant at) {
        return new AgentHeartbeat(null, agent, at, Map.of(), "host", 1L, T0, List.of(), List.of(), Map.of(), List.of());
    }

    private boolean signed(TelemetryEvent e, int partition) {
        byte[] value = Json.encode(e);
        return gate.admit(e, partition, SIGNER.keyId(), SIGNER.sign(value), value);
    }

    private boolean unsigned(TelemetryEvent e) {
        return gate.admit(e, 0, null, null, Json.encode(e));
    }

    @Test
    void withoutKeysEverythingIsBelievedAndTheSummarySaysNothingWasChecked() {
        TelemetryGate open = TelemetryGate.open();
        AgentHeartbeat hb = heartbeat("agent-1", T0);
        assertThat(open.admit(hb, 0, null, null, Json.encode(hb))).isTrue();
        assertThat(open.summary("run-1", Set.of("agent-1")))
                .isEqualTo(new History.Telemetry(false, List.of(), Map.of(), List.of()));
    }

    @Test
    void signedAgentEventsAreBelievedAndForgedOnesAreNotAndCounted() {
        assertThat(signed(heartbeat("agent-1", T0), 0)).isTrue();
        assertThat(unsigned(heartbeat("agent-1", T0.plusSeconds(1)))).isFalse();
        CommandEvent undone = CommandEvent.undone("agent-1", T0.plusSeconds(2), "run-1", "c-1", "process.kill", "CONT");
        byte[] value = Json.encode(undone);
        byte[] altered = Json.encode(CommandEvent.undone("agent-1", T0.plusSeconds(3), "run-1", "c-1", "process.kill",
                "CONT"));
        assertThat(gate.admit(undone, 0, "agent-1", SIGNER.sign(value), altered)).isFalse();
        History.Telemetry t = gate.summary("run-1", Set.of("agent-1"));
        assertThat(t.authenticated()).isTrue();
        assertThat(t.keys()).containsExactly("agent-1");
        assertThat(t.rejected()).containsExactlyInAnyOrderEntriesOf(Map.of("unsigned", 1L, "forged", 1L));
        assertThat(gate.describeRefusals()).startsWith("2 agent event(s) were not believed, the latest: forged: agent "
                + "agent-1: the signature does not verify").endsWith("(is each agent's telemetry key among --agent-keys?)");
    }

    @Test
    void anOldSignedEventPublishedAgainIsNotBelieved() {
        AgentHeartbeat old = heartbeat("agent-1", T0);
        assertThat(signed(old, 0)).isTrue();
        assertThat(signed(heartbeat("agent-1", T0.plusSeconds(30)), 0)).isTrue();
        // A little out of order, as an agent's threads hand events to its outbox: believed.
        assertThat(signed(heartbeat("agent-1", T0.plusSeconds(29)), 0)).isTrue();
        assertThat(signed(old, 0)).as("replayed").isFalse();
        // On another partition (another record key), its own order.
        assertThat(signed(old, 1)).isTrue();
        assertThat(gate.summary("run-1", Set.of("agent-1")).rejected()).containsExactlyEntriesOf(Map.of("replayed", 1L));
    }

    @Test
    void withKeysAlertsAndBreakerChangesMustBeSignedAndARefusedOneConcernsEveryRun() {
        KeyPair bridgeKeys = KeyFiles.newKeyPair();
        TelemetrySigner bridge = new TelemetrySigner("alert-bridge", bridgeKeys.getPrivate());
        TelemetryGate gate = TelemetryGate.of(Map.of("agent-1", AGENT.getPublic(), "alert-bridge",
                bridgeKeys.getPublic()));
        AlertEvent alert = new AlertEvent(null, "alert-bridge", T0, "HighLag", AlertEvent.Status.FIRING, Map.of(), "f",
                T0, null);
        byte[] value = Json.encode(alert);
        assertThat(gate.admit(alert, 0, bridge.keyId(), bridge.sign(value), value)).as("signed by the bridge").isTrue();
        AlertEvent resolved = new AlertEvent(null, "alert-bridge", T0.plusSeconds(5), "HighLag",
                AlertEvent.Status.RESOLVED, Map.of(), "f", T0, T0.plusSeconds(5));
        assertThat(gate.admit(resolved, 0, null, null, Json.encode(resolved))).as("an unsigned 'resolved'").isFalse();
        // A breaker change signed by an agent's key, for a source that has a key of its own.
        CircuitEvent closed = new CircuitEvent(null, "alert-bridge", T0, "redis", CircuitEvent.State.OPEN,
                CircuitEvent.State.CLOSED);
        byte[] c = Json.encode(closed);
        assertThat(gate.admit(closed, 0, SIGNER.keyId(), SIGNER.sign(c), c)).isFalse();
        History.Telemetry t = gate.summary("run-7", Set.of("agent-9"));
        assertThat(t.rejected()).as("counted for a run that claimed neither")
                .containsExactlyInAnyOrderEntriesOf(Map.of("unsigned", 1L, "forged", 1L));
        assertThat(t.examples()).anySatisfy(e -> assertThat(e).isEqualTo("unsigned: source alert-bridge: the record carries no key id"));
        assertThat(t.keys()).as("the keys agents signed with").isEmpty();
    }

    @Test
    void withoutKeysAlertsPassAsTheyAre() {
        AlertEvent alert = new AlertEvent("run-1", "bridge", T0, "HighLag", AlertEvent.Status.FIRING, Map.of(), "f",
                T0, null);
        assertThat(TelemetryGate.open().admit(alert, 0, null, null, Json.encode(alert))).isTrue();
    }

    @Test
    void theSummaryCountsOnlyWhatClaimedThisRunOrItsAgents() {
        unsigned(heartbeat("someone-elses-agent", T0));
        unsigned(CommandEvent.undone("someone-elses-agent", T0, "run-1", "c-1", "process.kill", "CONT"));
        unsigned(heartbeat("agent-1", T0));
        History.Telemetry t = gate.summary("run-1", Set.of("agent-1"));
        assertThat(t.rejectedCount()).as("the run's event and its agent's heartbeat").isEqualTo(2);
        assertThat(gate.refused()).isEqualTo(3);
    }

    @Test
    void aFloodOfForgedEventsIsCountedWithoutGrowingPastItsBound() {
        AgentHeartbeat hb = heartbeat("agent-1", T0);
        byte[] value = Json.encode(hb);
        for (int i = 0; i < TelemetryGate.KEPT + 500; i++) {
            gate.admit(hb, 0, null, null, value);
        }
        History.Telemetry t = gate.summary("run-1", Set.of("agent-1"));
        assertThat(t.rejectedCount()).isEqualTo(TelemetryGate.KEPT + 500);
        assertThat(t.examples()).hasSize(1);
    }
}

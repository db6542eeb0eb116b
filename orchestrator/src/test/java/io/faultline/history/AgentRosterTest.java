package io.faultline.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.AgentHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentRosterTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static AgentHeartbeat beat(String id, Instant at, List<String> faults, List<String> problems) {
        return new AgentHeartbeat(null, id, at, Map.of("role", "listener"), "host-a", 42, T0, List.of("process.kill"),
                faults, Map.of(), problems);
    }

    @Test
    void eachAgentIsItsLatestHeartbeatAndSilentOnesAreSaidSo() {
        List<AgentRoster.Agent> agents = AgentRoster.latest(List.of(
                beat("b", T0.plusSeconds(50), List.of(), List.of()),
                beat("a", T0.plusSeconds(10), List.of(), List.of()),
                beat("a", T0.plusSeconds(55), List.of("run-1.freeze.a"),
                        List.of("undo of run-1.freeze.a (heal) failed 2 time(s), tried again until it succeeds: busy")),
                beat("a", T0.plusSeconds(30), List.of(), List.of())), T0.plusSeconds(60), Duration.ofSeconds(15));

        assertThat(agents).extracting(a -> a.heartbeat().agentId()).containsExactly("a", "b");
        assertThat(agents.get(0).live()).isTrue();
        assertThat(agents.get(0).heartbeat().activeFaults()).containsExactly("run-1.freeze.a");
        assertThat(agents.get(0).heartbeat().problems()).singleElement().asString().startsWith("undo of run-1.freeze.a");
        assertThat(agents.get(1).live()).isTrue();
        AgentRoster.Agent late = AgentRoster.latest(List.of(beat("c", T0, List.of(), List.of())), T0.plusSeconds(60),
                Duration.ofSeconds(15)).get(0);
        assertThat(late.live()).isFalse();
        assertThat(late.silentFor()).isEqualTo(Duration.ofSeconds(60));
    }
}

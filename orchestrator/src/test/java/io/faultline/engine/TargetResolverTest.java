package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.scenario.TargetSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TargetResolverTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final List<AgentHeartbeat> LIVE = List.of(agent("a-1", "listener", "listener-1"),
            agent("a-2", "listener", "listener-2"), agent("a-3", "listener", "listener-3"), agent("r-1", "redis", null));
    private static final TargetResolver.OwnerLookup NO_LOOKUP = () -> {
        throw new AssertionError("the owner is looked up only for pick partition-owner");
    };

    private static AgentHeartbeat agent(String id, String role, String clientId) {
        Map<String, String> labels = clientId == null ? Map.of("role", role) : Map.of("role", role, "client-id", clientId);
        return new AgentHeartbeat(null, id, T0, labels, "host", 1, T0, List.of("process.kill"), List.of(), Map.of(), List.of());
    }

    private static List<String> ids(List<AgentHeartbeat> agents) {
        return agents.stream().map(AgentHeartbeat::agentId).toList();
    }

    @Test
    void allPicksEveryAgentWhoseLabelsMatch() throws Exception {
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.ALL, null, null);
        assertThat(ids(new TargetResolver(new Random(1)).resolve("listeners", t, LIVE, NO_LOOKUP)))
                .containsExactly("a-1", "a-2", "a-3");
    }

    @Test
    void anyPicksOneMatchingAgentFromTheInjectedRandomSource() throws Exception {
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.ANY, null, null);
        List<String> first = ids(new TargetResolver(new Random(42)).resolve("listeners", t, LIVE, NO_LOOKUP));
        List<String> again = ids(new TargetResolver(new Random(42)).resolve("listeners", t, LIVE, NO_LOOKUP));
        assertThat(first).hasSize(1).isEqualTo(again);
        assertThat(first.get(0)).startsWith("a-");
    }

    @Test
    void partitionOwnerPicksTheAgentBesideTheOwningConsumer() throws Exception {
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNER, "g", "orders");
        AtomicInteger lookups = new AtomicInteger();
        assertThat(ids(new TargetResolver(new Random(1)).resolve("primary", t, LIVE, () -> {
            lookups.incrementAndGet();
            return "listener-2";
        }))).containsExactly("a-2");
        assertThat(lookups).hasValue(1);
    }

    @Test
    void saysWhichLabelIsMissingWhenNoAgentSitsBesideTheOwner() {
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNER, "g", "orders");
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("primary", t, LIVE, () -> "listener-9"))
                .isInstanceOf(InfrastructureException.class)
                .hasMessageContaining("consumer 'listener-9' owns the partitions of orders in group g")
                .hasMessageContaining("client-id=listener-9");
    }

    @Test
    void refusesATargetNoLiveAgentMatches() {
        TargetSpec t = new TargetSpec(Map.of("role", "kafka"), TargetSpec.Pick.ALL, null, null);
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("brokers", t, LIVE, NO_LOOKUP))
                .hasMessageContaining("no live agent matches target 'brokers'");
    }
}

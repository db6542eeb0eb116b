package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.scenario.TargetSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TargetResolverTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final List<AgentHeartbeat> LIVE = List.of(agent("a-1", "listener", "listener-1"),
            agent("a-2", "listener", "listener-2"), agent("a-3", "listener", "listener-3"), agent("r-1", "redis", null));
    private static final TargetResolver.MemberLookup NO_LOOKUP = () -> {
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
            return List.of(member("listener-1", 1), member("listener-2", 2), member("listener-3", 0));
        }))).containsExactly("a-2");
        assertThat(lookups).hasValue(1);
    }

    private static TargetResolver.Member member(String clientId, int partitions) {
        return new TargetResolver.Member(clientId, "10.77.0.2", partitions);
    }

    @Test
    void saysWhichMembersAndAgentsThereAreWhenNoAgentSitsBesideTheOwner() {
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNER, "g", "orders");
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("primary", t, LIVE,
                () -> List.of(member("listener-9", 3), member("listener-1", 0))))
                .isInstanceOf(InfrastructureException.class)
                .hasMessage("target 'primary': member listener-9@10.77.0.2 (3 partitions) of group g has no live agent"
                        + " beside it (an agent is beside a member when its label client-id is the member's client.id or"
                        + " its prefix, or, without one, its label host is the member's host); members of g: [listener-9@10.77.0.2 (3 partitions), listener-1@10.77.0.2"
                        + " (0 partitions)]; agents of the target: [a-1 (client-id=listener-1), a-2 (client-id=listener-2),"
                        + " a-3 (client-id=listener-3)]");
    }

    @Test
    void notOwnerPicksAStandbyMemberThatOwnsNothing() throws Exception {
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.NOT_OWNER, "g", "orders");
        List<TargetResolver.Member> members = List.of(member("listener-1", 2), member("listener-2", 1),
                member("listener-3", 0));
        for (int seed = 0; seed < 5; seed++) {
            assertThat(ids(new TargetResolver(new Random(seed)).resolve("standby", t, LIVE, () -> members)))
                    .containsExactly("a-3");
        }
        List<TargetResolver.Member> busy = List.of(member("listener-1", 2), member("listener-2", 1));
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("standby", t, LIVE, () -> busy))
                .hasMessageStartingWith("target 'standby': no member of group g that owns no partition of orders has"
                        + " a live agent beside it; members of g: [listener-1@10.77.0.2 (2 partitions)");
    }

    @Test
    void partitionOwnersAndMembersPickEveryAgentBesideThem() throws Exception {
        List<TargetResolver.Member> members = List.of(member("listener-1", 2), member("listener-2", 1),
                member("listener-3", 0));
        TargetSpec owners = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNERS, "g", "orders");
        assertThat(ids(new TargetResolver(new Random(1)).resolve("owners", owners, LIVE, () -> members)))
                .containsExactly("a-1", "a-2");
        TargetSpec all = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.MEMBERS, "g", "orders");
        assertThat(ids(new TargetResolver(new Random(1)).resolve("all", all, LIVE, () -> members)))
                .containsExactly("a-1", "a-2", "a-3");
    }

    @Test
    void aKafkaStreamsThreadConsumerIsBesideTheAgentLabelledWithItsClientId() throws Exception {
        // Kafka Streams names its consumer <client.id>-StreamThread-1-consumer; the agent carries the client.id.
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNER, "g", "orders");
        assertThat(ids(new TargetResolver(new Random(1)).resolve("primary", t, LIVE,
                () -> List.of(member("listener-2-StreamThread-1-consumer", 3)))))
                .containsExactly("a-2");
        // A prefix must end at a dash: listener-1 is not beside listener-10.
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("primary", t, LIVE,
                () -> List.of(member("listener-10", 3)))).hasMessageContaining("member listener-10@");
    }

    @Test
    void countPicksThatManyAtRandomAndSaysSoWhenThereAreFewer() throws Exception {
        TargetSpec two = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.ANY, null, null, 2);
        Set<List<String>> seen = new HashSet<>();
        for (int seed = 0; seed < 20; seed++) {
            List<String> picked = ids(new TargetResolver(new Random(seed)).resolve("two", two, LIVE, NO_LOOKUP));
            assertThat(picked).hasSize(2).doesNotHaveDuplicates().allMatch(id -> id.startsWith("a-"));
            seen.add(picked.stream().sorted().toList());
        }
        assertThat(seen).as("different seeds pick different pairs").hasSizeGreaterThan(1);
        TargetSpec five = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.ANY, null, null, 5);
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("five", five, LIVE, NO_LOOKUP))
                .hasMessage("target 'five' (labels {role=listener}): 5 wanted, 3 found");
        TargetSpec owners = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNERS, "g", "orders", 1);
        assertThat(ids(new TargetResolver(new Random(3)).resolve("one-owner", owners, LIVE,
                () -> List.of(member("listener-1", 2), member("listener-2", 1), member("listener-3", 0)))))
                .hasSize(1).containsAnyOf("a-1", "a-2");
    }

    @Test
    void anAgentWithoutAClientIdIsBesideTheOneMemberOnItsHost() throws Exception {
        List<AgentHeartbeat> byHost = List.of(
                new AgentHeartbeat(null, "h-1", T0, Map.of("role", "listener", "host", "10.77.0.1"), "listener-1", 1, T0,
                        List.of("process.kill"), List.of(), Map.of(), List.of()),
                new AgentHeartbeat(null, "h-2", T0, Map.of("role", "listener", "host", "10.77.0.2"), "listener-2", 1, T0,
                        List.of("process.kill"), List.of(), Map.of(), List.of()));
        TargetSpec t = new TargetSpec(Map.of("role", "listener"), TargetSpec.Pick.PARTITION_OWNER, "g", "orders");
        assertThat(ids(new TargetResolver(new Random(1)).resolve("primary", t, byHost,
                () -> List.of(new TargetResolver.Member("c-1", "10.77.0.1", 0),
                        new TargetResolver.Member("c-2", "10.77.0.2", 1))))).containsExactly("h-2");
        // Two members on one host: which one the agent sits beside cannot be told.
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("primary", t, byHost,
                () -> List.of(new TargetResolver.Member("c-2", "10.77.0.2", 1),
                        new TargetResolver.Member("c-3", "10.77.0.2", 0))))
                .hasMessageStartingWith("target 'primary': the agent beside member c-2@10.77.0.2 (1 partition) is beside"
                        + " [c-3@10.77.0.2 (0 partitions)] too (same host label)")
                .hasMessageContaining("h-2 (host=10.77.0.2)");
    }

    @Test
    void refusesATargetNoLiveAgentMatches() {
        TargetSpec t = new TargetSpec(Map.of("role", "kafka"), TargetSpec.Pick.ALL, null, null);
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("brokers", t, LIVE, NO_LOOKUP))
                .hasMessageContaining("no live agent matches target 'brokers'");
    }

    private static AgentHeartbeat brokerAgent(String id, String nodeId) {
        Map<String, String> labels = nodeId == null ? Map.of("role", "broker") : Map.of("role", "broker", "node-id", nodeId);
        return new AgentHeartbeat(null, id, T0, labels, "host", 1, T0, List.of("process.kill"), List.of(), Map.of(), List.of());
    }

    @Test
    void aBrokerPickTakesTheAgentWhoseNodeIdLabelIsTheNodeTheClusterNames() throws Exception {
        List<AgentHeartbeat> live = List.of(brokerAgent("b-1", "1"), brokerAgent("b-2", "2"), brokerAgent("b-3", "3"));
        TargetSpec leader = new TargetSpec(Map.of("role", "broker"), TargetSpec.Pick.PARTITION_LEADER, null, "orders",
                null, 0, null);
        List<TargetSpec> asked = new ArrayList<>();
        assertThat(ids(new TargetResolver(new Random(1)).resolve("leader", leader, live, NO_LOOKUP, (name, t) -> {
            asked.add(t);
            return new TargetResolver.BrokerPick(2, "the leader of orders-0");
        }))).containsExactly("b-2");
        assertThat(asked).containsExactly(leader);
    }

    @Test
    void aBrokerWithNoAgentBesideItIsRefusedNamingTheNodeWhyAndTheAgentsLabels() {
        List<AgentHeartbeat> live = List.of(brokerAgent("b-1", "1"), brokerAgent("b-x", null));
        TargetSpec controller = new TargetSpec(Map.of("role", "broker"), TargetSpec.Pick.CONTROLLER, null, null);
        assertThatThrownBy(() -> new TargetResolver(new Random(1)).resolve("controller", controller, live, NO_LOOKUP,
                (name, t) -> new TargetResolver.BrokerPick(3, "the active controller, leader of the KRaft quorum at epoch 7")))
                .isInstanceOf(InfrastructureException.class)
                .hasMessage("target 'controller': broker 3 (the active controller, leader of the KRaft quorum at epoch 7)"
                        + " has no live agent beside it (an agent is beside a broker when its label node-id is the "
                        + "broker's node.id); agents of the target: [b-1 (node-id=1), b-x (node-id=none)]");
    }

    @Test
    void brokerPicksCheckTheirFieldsWhenTheScenarioIsRead() {
        assertThatThrownBy(() -> new TargetSpec(Map.of("role", "broker"), TargetSpec.Pick.BROKER, null, null))
                .hasMessageContaining("broker");
        assertThatThrownBy(() -> new TargetSpec(Map.of("role", "broker"), TargetSpec.Pick.PARTITION_LEADER, null, null))
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> new TargetSpec(Map.of("role", "broker"), TargetSpec.Pick.CONTROLLER, null, null, 2))
                .hasMessageContaining("one node");
        assertThatThrownBy(() -> new TargetSpec(Map.of("role", "broker"), TargetSpec.Pick.ALL, null, null, null, 1,
                null)).hasMessageContaining("only partition-leader");
    }
}

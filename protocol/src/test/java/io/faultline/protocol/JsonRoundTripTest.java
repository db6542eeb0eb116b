package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class JsonRoundTripTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:15:30.123456Z");

    static Stream<Object> everyWireType() {
        ApplyCommand apply = new ApplyCommand("cmd-1", "run-1", new Target("agent-1", Map.of("role", "listener")),
                new ProcessKillFault(Signal.STOP, new ProcessSelector("/run/listener.pid", null)),
                T0, T0.plusSeconds(30), Duration.ofSeconds(60));
        return Stream.of(
                apply,
                new ApplyCommand("cmd-2", "run-1", Target.agent("agent-2"),
                        new ProcessKillFault(Signal.KILL, new ProcessSelector(null, "OrderListener .*listener-2")),
                        T0, T0.plusSeconds(5), Duration.ofMillis(1500)),
                new HealCommand("cmd-3", "run-1", Target.agent("agent-1"), "cmd-1", T0, T0.plusSeconds(30)),
                new AgentHeartbeat("run-1", "agent-1", T0, Map.of("role", "listener"), "host-a", 4242L, T0.minusSeconds(9),
                        List.of("process.kill"), List.of("cmd-1"), Map.of("forged", 2L), List.of("undo journal unwritable")),
                new RenewCommand("cmd-4", "run-1", Target.agent("agent-1"), "cmd-1", T0, T0.plusSeconds(5),
                        Duration.ofSeconds(10)),
                new CheckCommand("cmd-5", "run-1", Target.agent("agent-1"), apply.fault(), T0, T0.plusSeconds(5),
                        Duration.ofSeconds(10)),
                new SignedCommand("ops", "c2ln", "{\"kind\":\"heal\"}"),
                new Halt(T0, "stop now", "sre@host"),
                new RunRecord("run-1", "orchestrator", T0, 0, 2, "{\"checks\":"),
                new AlertEvent(null, "alert-bridge", T0, "IngestionLagHigh", AlertEvent.Status.FIRING,
                        Map.of("alertname", "IngestionLagHigh", "severity", "page"), "3f2a", T0.minusSeconds(2), null),
                CommandEvent.received("agent-1", T0, apply),
                faultCommand(new NetworkPartitionFault(Direction.EGRESS, PacketAction.REJECT,
                        List.of(new Peer("10.0.0.0/24", 9092), new Peer("192.168.1.7", null)), true, true)),
                faultCommand(new NetworkBandwidthFault("eth0", "1mbit", List.of(6379, 9092))),
                faultCommand(new ProcessKillFault(Signal.KILL, null, true)),
                faultCommand(new PodKillFault(new PodSelection("shop", Map.of("app", "orders"), PodSelection.Mode.PERCENT, 50),
                        Duration.ZERO)),
                faultCommand(new PodFailureFault(new PodSelection("shop", Map.of("app", "orders"), null, null))),
                faultCommand(new NetworkDelayFault("eth0", Duration.ofMillis(100), Duration.ofMillis(10))),
                faultCommand(new NetworkLossFault(null, 12.5)),
                faultCommand(new RedisPauseFault("redis.local:6379", RedisPauseFault.Mode.WRITE, Duration.ofSeconds(20))),
                faultCommand(new RedisOutageFault("10.0.0.5:6379", PacketAction.REJECT)),
                faultCommand(new RedisThrottleFault("10.0.0.5:6379", "512kbit", "veth0")),
                faultCommand(new ToxiproxyFault("http://toxiproxy:8474", "redis", ToxiproxyFault.Toxic.LATENCY,
                        ToxiproxyFault.Stream.UPSTREAM, Duration.ofMillis(250), Duration.ofMillis(20), null)),
                new CircuitEvent(null, "listener-1", T0, "redis", CircuitEvent.State.CLOSED, CircuitEvent.State.OPEN),
                CommandEvent.applied("agent-1", T0, apply, "sent STOP to pid 4242"),
                CommandEvent.undone("agent-1", T0, "run-1", "cmd-1", "process.kill", "heal: sent CONT to pid 4242"),
                CommandEvent.failed("agent-1", T0, apply, "no such process"),
                CommandEvent.rejected("agent-1", T0, "run-1", "cmd-1", "expired"),
                CommandEvent.rejected("agent-1", T0, "run-1", "cmd-1", "process.kill",
                        new Rejection.Exception(Rejection.POLICY, "process.kill is not allowed")),
                new Verdict(Verdict.SCHEMA_VERSION, "run-1", "primary-listener-crash", Verdict.Status.FAILED, "because",
                        T0, T0.plusSeconds(40),
                        List.of(new CheckResult("lost", CheckResult.Outcome.FAIL, 3.0, 0.0, "events", "3 lost",
                                List.of("run-1:12", "run-1:13"))),
                        List.of(new FaultRecord("kill-primary", "cmd-1", "agent-1", "process.kill", T0, T0.plusMillis(40),
                                T0.plusSeconds(20), T0.plusSeconds(21),
                                new FaultRecord.Failover(true, true, T0.minusMillis(10), T0.plusSeconds(7), 6960L, 7000L, 20L, 7010L, 900L, List.of(new FaultRecord.PartitionGap(1, 7010L, 7000L))),
                                new FaultRecord.Latency(210, 240, 900L, 1800L, 2100L, 250L, 480, 1200L))),
                        new CanaryStats(1000, 1000, 997, 3, 0, 0, 0, 0, 50.0)));
    }

    private static ApplyCommand faultCommand(FaultSpec fault) {
        return new ApplyCommand("cmd-" + fault.type(), "run-1", Target.agent("agent-1"), fault, T0,
                T0.plusSeconds(30), Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @MethodSource("everyWireType")
    void roundTripsEveryWireTypeThroughItsBaseType(Object value) {
        Class<?> base = value instanceof Command ? Command.class
                : value instanceof TelemetryEvent ? TelemetryEvent.class : value.getClass();
        byte[] once = Json.encode(value);
        Object back = Json.decode(once, base);
        assertThat(back).isEqualTo(value);
        assertThat(Json.encode(back)).isEqualTo(once);
        assertNoNullComponents(back, value);
    }

    @Test
    void writesShortStableTypeNamesNotClassNames() {
        String json = new String(Json.encode(everyWireType().findFirst().orElseThrow()));
        assertThat(json).contains("\"kind\":\"apply\"", "\"type\":\"process.kill\"", "\"lease\":\"PT1M\"")
                .doesNotContain("io.faultline");
        String event = new String(Json.encode(CommandEvent.rejected("a", T0, "r", "c", "why")));
        assertThat(event).contains("\"type\":\"command\"", "\"step\":\"rejected\"");
    }

    @Test
    void rejectsInvalidValuesWithTheFieldNamed() {
        String negativeLease = "{\"kind\":\"apply\",\"commandId\":\"c\",\"runId\":\"r\",\"target\":{\"agentId\":\"a\"},"
                + "\"fault\":{\"type\":\"process.kill\",\"signal\":\"KILL\"},\"issuedAt\":\"2026-01-01T00:00:00Z\","
                + "\"notAfter\":\"2026-01-01T00:00:10Z\",\"lease\":\"PT-5S\"}";
        assertThatThrownBy(() -> Json.decode(negativeLease, Command.class))
                .isInstanceOf(Json.JsonCodecException.class).hasMessageContaining("lease: must be positive");
        assertThatThrownBy(() -> Json.decode("{\"kind\":\"reboot\"}", Command.class))
                .isInstanceOf(Json.JsonCodecException.class).hasMessageContaining("reboot");
        assertThatThrownBy(() -> Json.decode("not json", Command.class))
                .isInstanceOf(Json.JsonCodecException.class).hasMessageStartingWith("malformed Command");
        assertThatThrownBy(() -> Json.decode((byte[]) null, Command.class))
                .isInstanceOf(Json.JsonCodecException.class);
    }

    @Test
    void rejectsInvalidFaultParametersWithTheFieldNamed() {
        assertThatThrownBy(() -> new Peer("10.0.0.300/24", null)).hasMessageContaining("cidr");
        assertThatThrownBy(() -> new Peer("10.0.0.0/33", null)).hasMessageContaining("cidr");
        assertThatThrownBy(() -> new Peer("10.0.0.1; rm -rf /", null)).hasMessageContaining("cidr");
        assertThatThrownBy(() -> new Peer("10.0.0.1", 70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> new NetworkPartitionFault(null, null, List.of(), false, false))
                .hasMessageContaining("peers");
        assertThatThrownBy(() -> new NetworkBandwidthFault(null, "fast", List.of(80))).hasMessageContaining("rate");
        assertThatThrownBy(() -> new NetworkBandwidthFault(null, "1mbit", List.of())).hasMessageContaining("ports");
        assertThatThrownBy(() -> new NetworkBandwidthFault("eth0 root", "1mbit", List.of(80))).hasMessageContaining("device");
        assertThatThrownBy(() -> new NetworkLossFault(null, 0)).hasMessageContaining("percent");
        assertThatThrownBy(() -> new RedisPauseFault("localhost", null, null)).hasMessageContaining("address");
        assertThatThrownBy(() -> new ToxiproxyFault("http://t:8474", "p", ToxiproxyFault.Toxic.BANDWIDTH, null, null,
                null, null)).hasMessageContaining("rate");
        assertThat(new NetworkPartitionFault(null, null, List.of(), true, false).direction()).isEqualTo(Direction.BOTH);
        assertThat(new NetworkBandwidthFault(null, "2mbit", List.of(1)).bitsPerSecond()).isEqualTo(2_000_000L);
    }

    /** Every component that was set before the round trip is still set after it. */
    private static void assertNoNullComponents(Object back, Object original) {
        if (!back.getClass().isRecord()) {
            return;
        }
        for (RecordComponent c : back.getClass().getRecordComponents()) {
            try {
                Object before = c.getAccessor().invoke(original);
                Object after = c.getAccessor().invoke(back);
                if (before != null) {
                    assertThat(after).as(c.getName()).isNotNull();
                    assertNoNullComponents(after, before);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }
}

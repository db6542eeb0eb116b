package io.faultline.it.net;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.Capability;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.NetLab;
import io.faultline.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/**
 * The scenarios in {@code scenarios/} that need hosts, run end to end ({@link DemoLabIT} runs the
 * partition and Redis outage drills from the CLI, in the demo's own lab): three exactly-once order
 * listeners caching through Redis, each in its own namespace with an agent beside it, Redis and
 * its agent on a fourth host, the broker on the bridge, the orchestrator in the test JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkGameDayIT {
    private static final Topics TOPICS = Topics.defaults();
    private static final String GROUP = "order-listeners";
    private static final List<Process> processes = new ArrayList<>();
    private static NetLab lab;
    private static CommandBus bus;

    @BeforeAll
    static void start() throws Exception {
        lab = NetLab.shared();
        String redisAddress = lab.ip("redis") + ":6379";
        processes.add(lab.spawn("redis", "gameday-redis", "redis-server", "--port", "6379", "--bind", "0.0.0.0",
                "--protected-mode", "no", "--save", "", "--appendonly", "no"));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> new Jedis(lab.ip("redis"), 6379).ping().equals("PONG"));
        bus = new CommandBus(lab.bootstrapServers(), TOPICS);
        try (Admin admin = KafkaClients.admin(lab.bootstrapServers())) {
            KafkaClients.ensureTopics(admin, Map.of("orders", 1, "orders.processed", 1));
        }
        processes.add(agent("redis", "agent-redis", "--label", "role=redis", "--redis", redisAddress));
        for (int i = 1; i <= 3; i++) {
            String host = "listener-" + i;
            Path pid = lab.dir().resolve(host + ".pid");
            processes.add(lab.spawnJvm(host, "gameday-" + host, "io.faultline.examples.OrderListenerMain", List.of(
                    "--bootstrap-servers", lab.bootstrapServers(), "--mode", "exactly-once", "--instance", host,
                    "--group", GROUP, "--input", "orders", "--output", "orders.processed", "--processing-ms", "200",
                    "--session-timeout-ms", "3000", "--transaction-timeout-ms", "3000",
                    "--redis", redisAddress, "--telemetry-topic", TOPICS.telemetry(), "--pid-file", pid.toString())));
            processes.add(agent(host, "agent-" + host, "--label", "role=listener", "--label", "client-id=" + host,
                    "--service-pid-file", pid.toString()));
        }
        for (String id : List.of("agent-redis", "agent-listener-1", "agent-listener-2", "agent-listener-3")) {
            bus.awaitAgent(id);
        }
        awaitGroup();
    }

    private static Process agent(String host, String id, String... extra) throws Exception {
        AgentProcess agent = AgentProcess.of(id, lab.bootstrapServers(), lab.dir()).heartbeatMs(500).outliveParent();
        return agent.args(extra).startIn(lab, host);
    }

    private static void awaitGroup() throws Exception {
        try (Admin admin = KafkaClients.admin(lab.bootstrapServers())) {
            DemoCluster.awaitGroup(admin, GROUP, 3, Duration.ofSeconds(90), List.of(), lab.dir());
        }
    }

    @AfterAll
    static void stop() {
        if (bus != null) {
            bus.close();
        }
        // Agents first, so that they undo whatever is still applied.
        for (int i = processes.size() - 1; i >= 0; i--) {
            ChildJvm.stop(processes.get(i), Duration.ofSeconds(10));
        }
    }

    private static Verdict run(String file) throws Exception {
        Path path = Path.of("..", "scenarios", file);
        return run(ScenarioLoader.parse(path, Files.readString(path)));
    }

    private static Verdict run(Scenario scenario) throws Exception {
        awaitGroup();
        RunOptions options = new RunOptions(lab.bootstrapServers(), TOPICS, Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, TestKeys.signer());
        Clock clock = Clock.systemUTC();
        Verdict v = SchemaCheck.conforming(new GameDay(options, clock).run(scenario, GameDay.newRunId(scenario.name(), clock)).verdict());
        System.out.println(Reports.summary(v));
        return v;
    }

    private static CheckResult check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    @Test
    @Order(2)
    void redisThrottleReportsTheLatencyImpactAndTheRecovery() throws Exception {
        Verdict v = run("redis-throttle.yaml");
        assertThat(v.status()).as(Reports.summary(v)).isEqualTo(Verdict.Status.PASSED);
        FaultRecord.Latency latency = v.faults().get(0).latency();
        assertThat(latency.duringP50Ms()).as("stalled writes slow the median down").isGreaterThan(latency.baselineP50Ms());
        assertThat(latency.duringMaxMs()).as("and the tail").isGreaterThan(latency.baselineP99Ms());
        assertThat(latency.recoveredAfterMs()).isNotNull();
        assertThat(check(v, "latency[stall-redis]").passed()).isTrue();
        assertThat(v.canary().lost()).isZero();
    }

    @Test
    @Order(4)
    void aScenarioNoAgentCanRunIsRefusedAtPreflight() throws Exception {
        AgentHeartbeat hb = bus.awaitAgent("agent-listener-1");
        Assumptions.assumeFalse(hb.capabilities().contains(Capability.NETEM), "this kernel has netem");
        Path path = Path.of("..", "scenarios", "network-partition.yaml");
        String yaml = Files.readString(path).replace("name: network-partition", "name: delay-everything")
                .replaceAll("(?s)fault:\\n.*?lease:", "fault:\n        type: network.delay\n        delay: 200ms\n      lease:");
        Scenario scenario = ScenarioLoader.parse(Path.of("delay.yaml"), yaml);
        Verdict v = run(scenario);
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).contains("preflight", "can run network.delay").containsPattern("agent-listener-\\d lacks netem");
        assertThat(bus.telemetry.commandEvents(v.runId())).as("nothing was injected").isEmpty();
    }

    @Test
    @Order(5)
    void anOrchestratorKilledMidPartitionLeavesNoRuleBeyondTheLeasePlusOneSecond() throws Exception {
        awaitGroup();
        Path path = Path.of("..", "scenarios", "network-partition.yaml");
        String yaml = Files.readString(path).replace("name: network-partition", "name: orchestrator-killed")
                .replaceFirst("lease: 15s", "lease: 3s").replaceFirst("- wait: 15s", "- wait: 60s");
        Path file = lab.dir().resolve("orchestrator-killed.yaml");
        Files.writeString(file, yaml);
        List<String> listeners = List.of("listener-1", "listener-2", "listener-3");
        Map<String, String> before = new HashMap<>();
        for (String host : listeners) {
            before.put(host, lab.networkState(host));
        }
        Process orchestrator = ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx256m"), List.of("run",
                file.toString(), "-b", lab.bootstrapServers(), "--signing-key", TestKeys.privateKeyFile().toString(),
                "--report-dir", lab.dir().resolve("reports").toString()), lab.dir().resolve("orchestrator-killed.log"));
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() ->
                    !orchestrator.isAlive() || partitioned(listeners) != null);
            String victim = partitioned(listeners);
            assertThat(victim).as("the run partitioned a listener; see orchestrator-killed.log in " + lab.dir()).isNotNull();
            // Renewals keep the partition past twice its 3 s lease.
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(12))
                    .until(() -> lab.networkState(victim).contains("faultline:"));

            orchestrator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> lab.networkState(victim).equals(before.get(victim)));
            Duration after = Duration.ofNanos(System.nanoTime() - killed);
            System.out.println("orchestrator SIGKILLed: " + victim + "'s partition removed after " + after.toMillis()
                    + " ms (lease 3000 ms)");
            assertThat(lab.networkState(victim)).isEqualTo(before.get(victim));
            assertThat(after).isLessThanOrEqualTo(Duration.ofSeconds(4));
        } finally {
            orchestrator.destroyForcibly();
        }
    }

    /** The listener host that carries a Faultline rule, or null. */
    private static String partitioned(List<String> hosts) throws Exception {
        for (String h : hosts) {
            if (lab.networkState(h).contains("faultline:")) {
                return h;
            }
        }
        return null;
    }
}

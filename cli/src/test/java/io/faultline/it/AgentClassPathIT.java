package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Topics;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.Procs;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as the launcher and the image start it: {@code AgentMain} on the agent's own class
 * path (the cli jar, the agents jar and its runtime dependencies, picocli and logback), which holds
 * no broker, Scala, orchestrator or example system. It must still load every driver and act.
 */
class AgentClassPathIT {
    private static final List<String> FORBIDDEN = List.of("kafka_2.13", "scala-", "faultline-examples",
            "faultline-orchestrator", "faultline-demo", "kafka-server", "kafka-raft");

    @TempDir
    Path dir;

    private static List<Path> agentClassPath() throws IOException {
        List<Path> cp = new ArrayList<>(List.of(Path.of("target", "faultline.jar"),
                Path.of("..", "agents", "target", "faultline-agents.jar")));
        for (Path lib : List.of(Path.of("..", "agents", "target", "lib"), Path.of("target", "agent-lib"))) {
            try (Stream<Path> jars = Files.list(lib)) {
                jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(cp::add);
            }
        }
        return cp;
    }

    @Test
    void theAgentRunsAndActsFromItsOwnClassPath() throws Exception {
        List<Path> cp = agentClassPath();
        assertThat(cp).allSatisfy(p -> assertThat(p).exists());
        assertThat(cp).extracting(p -> p.getFileName().toString())
                .noneMatch(name -> FORBIDDEN.stream().anyMatch(name::startsWith));

        String bootstrap = TestKafka.bootstrapServers();
        Topics topics = new Topics("cp-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        Process victim = new ProcessBuilder("sleep", "600").start();
        Path pid = dir.resolve("victim.pid");
        Files.writeString(pid, Long.toString(victim.pid()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", String.join(File.pathSeparator, cp.stream().map(Path::toString).toList()),
                "io.faultline.cli.AgentMain", "--id", "cp-agent", "--bootstrap-servers", bootstrap,
                "--topic-prefix", topics.prefix(), "--heartbeat-interval-ms", "300",
                "--public-key", TestKeys.publicKeyFile().toString(), "--state-dir", dir.resolve("state").toString(),
                "--service-pid-file", pid.toString(), "--exit-with-parent"));
        Process agent = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile()).start();
        try (CommandBus bus = new CommandBus(bootstrap, topics)) {
            assertThat(bus.awaitAgent("cp-agent").capabilities())
                    .contains("process.kill", "network.partition", "redis.pause", "toxiproxy.toxic");
            CommandEvent applied = bus.apply("cp-agent", new ProcessKillFault(Signal.STOP,
                    ProcessSelector.SERVICE, null), Duration.ofSeconds(30));
            assertThat(applied.step()).as(applied.detail()).isEqualTo(CommandEvent.Step.APPLIED);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Procs.state(pid) == 'T');
            assertThat(bus.heal("cp-agent", applied.commandId()).step()).isEqualTo(CommandEvent.Step.UNDONE);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Procs.state(pid) != 'T');
        } finally {
            agent.destroy();
            agent.waitFor();
            victim.destroyForcibly();
        }
    }

    @Test
    void theFullClassPathHoldsEverythingTheAgentAndTheDemoNeed() throws IOException {
        // A test-scope declaration here once shadowed a runtime dependency (jedis, the example
        // listener) and the launcher's agents and demo failed at their first use of it.
        List<String> full;
        try (Stream<Path> jars = Files.list(Path.of("target", "lib"))) {
            full = jars.map(p -> p.getFileName().toString()).toList();
        }
        List<String> agent;
        try (Stream<Path> jars = Files.list(Path.of("..", "agents", "target", "lib"))) {
            agent = jars.map(p -> p.getFileName().toString()).toList();
        }
        assertThat(full).containsAll(agent);
        assertThat(full).anyMatch(name -> name.startsWith("faultline-examples"))
                .anyMatch(name -> name.startsWith("kafka_2.13")).anyMatch(name -> name.startsWith("logback-classic"));
    }
}

package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.agent.driver.SignalShell;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent.Step;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.Halt;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in this JVM against a real broker and a real local process (a {@code sleep}),
 * commanded through the test kit's command bus as the orchestrator would.
 */
class AgentIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private final Topics topics = new Topics("agent-it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    private final String agentId = "agent-it";
    private Process victim;
    private Agent agent;
    private Thread agentThread;
    private CommandBus bus;
    private Path pidFile;
    private AgentConfig config;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        TestKafka.createTopics(Map.of(topics.commands(), 1, topics.telemetry(), 1));
        victim = new ProcessBuilder("sleep", "600").start();
        pidFile = dir.resolve("victim.pid");
        Files.writeString(pidFile, victim.pid() + "\n");
        config = new AgentConfig(agentId, Map.of("role", "test"), bootstrap, topics,
                Duration.ofMillis(300), pidFile, null, dir.resolve("state"), null, TestKeys.publicKeys());
        agent = Agent.builder(config)
                .drivers(List.of(new ProcessKillDriver(new SignalShell(CommandRunner.SYSTEM), pidFile))).build();
        agentThread = new Thread(agent::run, "agent-under-test");
        agentThread.start();
        assertThat(agent.awaitReady(Duration.ofSeconds(30))).isTrue();
        // The bus creates the halt topic: after the agent started, so the agent must find it later.
        bus = new CommandBus(bootstrap, topics);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        agentThread.join(20_000);
        bus.close();
        victim.destroyForcibly();
    }

    private byte[] signed(Command c) {
        return bus.seal(c);
    }

    private void send(String key, byte[] value) throws Exception {
        bus.sendRaw(key, value);
    }

    private ApplyCommand stop(String id, Duration lease) {
        Instant now = Instant.now();
        return new ApplyCommand(id, "run-it", Target.agent(agentId), new ProcessKillFault(Signal.STOP, null),
                now, now.plusSeconds(30), lease);
    }

    private CommandEvent await(String commandId, Step... steps) throws InterruptedException {
        CommandEvent e = bus.poll(commandId, WAIT, steps);
        assertThat(e).as("telemetry for %s", commandId).isNotNull();
        return e;
    }

    /** SIGSTOP is delivered asynchronously: the process may show R for a moment before T. */
    private void awaitStopped() {
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> state() == 'T');
    }

    /** The process state letter from /proc: T when stopped, S when sleeping. */
    private char state() throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(victim.pid()), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    @Test
    void stopsTheServiceAndResumesItOnHeal() throws Exception {
        send(agentId, signed(stop("c-stop", Duration.ofMinutes(1))));
        CommandEvent applied = await("c-stop", Step.APPLIED, Step.FAILED, Step.REJECTED);
        assertThat(applied.step()).isEqualTo(Step.APPLIED);
        assertThat(applied.detail()).contains("STOP", Long.toString(victim.pid()));
        awaitStopped();
        assertThat(agent.activeFaults()).containsKey("c-stop");
        int port = agent.exportMetrics("127.0.0.1", 0);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("faultline_agent_active_faults 1.0");

        Instant now = Instant.now();
        send(agentId, signed(new HealCommand("c-heal", "run-it", Target.agent(agentId), "c-stop", now, now.plusSeconds(30))));
        CommandEvent undone = await("c-stop", Step.UNDONE);
        assertThat(undone.detail()).startsWith("heal: sent CONT");
        assertThat(state()).isNotEqualTo('T');
        assertThat(agent.activeFaults()).isEmpty();
    }

    @Test
    void undoesTheFaultWhenItsLeaseRunsOut() throws Exception {
        send(agentId, signed(stop("c-lease", Duration.ofSeconds(2))));
        await("c-lease", Step.APPLIED);
        awaitStopped();
        CommandEvent undone = await("c-lease", Step.UNDONE);
        assertThat(undone.detail()).startsWith("lease expired");
        assertThat(state()).isNotEqualTo('T');
    }

    @Test
    void undoesEverythingOnShutdown() throws Exception {
        send(agentId, signed(stop("c-shutdown", Duration.ofMinutes(5))));
        await("c-shutdown", Step.APPLIED);
        awaitStopped();
        agent.close();
        agentThread.join(20_000);
        assertThat(state()).isNotEqualTo('T');
        assertThat(await("c-shutdown", Step.UNDONE).detail()).startsWith("agent shutdown");
    }

    @Test
    void rejectsBadCommandsAndKeepsRunning() throws Exception {
        send(agentId, "{ not json".getBytes());
        Instant past = Instant.now().minusSeconds(60);
        send(agentId, signed(new ApplyCommand("c-expired", "run-it", Target.agent(agentId),
                new ProcessKillFault(Signal.KILL, null), past, past.plusSeconds(10), Duration.ofMinutes(1))));
        Instant now = Instant.now();
        send(agentId, signed(new ApplyCommand("c-nopid", "run-it", Target.agent(agentId),
                new ProcessKillFault(Signal.KILL, new ProcessSelector("/nonexistent/x.pid", null)), now,
                now.plusSeconds(30), Duration.ofMinutes(1))));

        assertThat(await("c-expired", Step.REJECTED).detail()).startsWith("expired: ");
        assertThat(victim.isAlive()).as("an expired KILL must not run").isTrue();
        assertThat(await("c-nopid", Step.REJECTED).detail())
                .startsWith("policy: pid file /nonexistent/x.pid matches none of the allowed pidFiles");

        // A command for another agent is ignored; the agent still heartbeats and still obeys.
        send("someone-else", signed(new ApplyCommand("c-other", "run-it", Target.agent("someone-else"),
                new ProcessKillFault(Signal.KILL, null), now, now.plusSeconds(30), Duration.ofMinutes(1))));
        send(agentId, signed(stop("c-after", Duration.ofMinutes(1))));
        assertThat(await("c-after", Step.APPLIED, Step.FAILED).step()).isEqualTo(Step.APPLIED);
        assertThat(bus.poll("c-other", Duration.ofMillis(500), Step.values())).isNull();
        assertThat(victim.isAlive()).isTrue();
        assertThat(bus.events("run-it")).extracting(CommandEvent::step).contains(Step.REJECTED, Step.APPLIED);
        Instant after = Instant.now();
        Awaitility.await().atMost(WAIT).until(() -> bus.liveAgents(Duration.ofSeconds(1)).stream()
                .anyMatch(h -> h.agentId().equals(agentId) && h.at().isAfter(after)));
    }

    @Test
    void dropsADuplicateDeliveryOfTheSameCommand() throws Exception {
        byte[] once = signed(stop("c-dup", Duration.ofMinutes(1)));
        send(agentId, once);
        send(agentId, once);
        await("c-dup", Step.APPLIED);
        // For a second after the apply, no second delivery is received.
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> bus.events("run-it").stream()
                .filter(e -> e.commandId().equals("c-dup") && e.step() == Step.RECEIVED).count() == 1);
    }

    @Test
    void rejectsUnsignedForgedUnknownKeyAndReplayedCommandsAndCountsThem() throws Exception {
        ApplyCommand kill = new ApplyCommand("c-forged", "run-it", Target.agent(agentId), new ProcessKillFault(Signal.KILL, null),
                Instant.now(), Instant.now().plusSeconds(30), Duration.ofMinutes(1));
        // Unsigned: the bare command, as an older orchestrator or an intruder would write it.
        send(agentId, Json.encode(kill));
        // Forged: right key id, someone else's key.
        send(agentId, new CommandSigner(TestKeys.KEY_ID, KeyFiles.newKeyPair().getPrivate()).seal(kill));
        // A key the agent was never given.
        send(agentId, new CommandSigner("intruder", KeyFiles.newKeyPair().getPrivate()).seal(kill));
        // Replayed: a genuine command delivered again after it ran.
        byte[] genuine = signed(stop("c-replayed", Duration.ofMinutes(1)));
        send(agentId, genuine);
        await("c-replayed", Step.APPLIED);
        send(agentId, genuine);
        assertThat(await("c-replayed", Step.REJECTED).detail()).startsWith("replayed: ");

        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(agent.rejectionCounts())
                .containsEntry("malformed", 1L).containsEntry("forged", 1L).containsEntry("unknown-key", 1L)
                .containsEntry("replayed", 1L));
        assertThat(victim.isAlive()).as("no forged KILL ran").isTrue();
        List<String> reasons = bus.events("run-it").stream().map(CommandEvent::detail).filter(Objects::nonNull)
                .toList();
        assertThat(reasons).anyMatch(d -> d.startsWith("replayed: command c-replayed was already received"));
        // The heartbeat carries the counts, and the agent still obeys a genuine command.
        Awaitility.await().atMost(WAIT).until(() -> bus.liveAgents(Duration.ofSeconds(1)).stream()
                .anyMatch(h -> h.agentId().equals(agentId) && h.rejections().getOrDefault("forged", 0L) == 1L));
        Instant now = Instant.now();
        send(agentId, signed(new HealCommand("c-heal-r", "run-it", Target.agent(agentId), "c-replayed", now,
                now.plusSeconds(30))));
        assertThat(await("c-replayed", Step.UNDONE).detail()).startsWith("heal:");
        assertThat(state()).isNotEqualTo('T');
    }

    @Test
    void survivesAFloodOfRandomAndMutatedRecordsAndStillObeys() throws Exception {
        Random random = new Random(42);
        Instant now = Instant.now();
        // Mutants of a harmless signed command: a mutation that leaves the signed text intact may be obeyed.
        byte[] base = signed(new HealCommand("c-mutant", "run-it", Target.agent(agentId), "c-none", now, now.plusSeconds(60)));
        int records = 300;
        for (int i = 0; i < records; i++) {
            byte[] junk;
            if (i % 3 == 0) {
                junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
            } else {
                junk = base.clone();
                junk[random.nextInt(junk.length)] = (byte) random.nextInt(256);
            }
            send(i % 2 == 0 ? agentId : "*", junk);
        }
        Instant floodEnd = Instant.now();
        // Records of one partition are handled in order: once this one is applied, the flood has been read.
        send(agentId, signed(stop("c-flood", Duration.ofMinutes(1))));
        await("c-flood", Step.APPLIED);
        awaitStopped();
        long rejected = agent.rejectionCounts().values().stream().mapToLong(Long::longValue).sum();
        long obeyed = bus.events("run-it").stream()
                .filter(e -> "c-mutant".equals(e.commandId()) && e.step() == Step.RECEIVED).count();
        System.out.println("flood: " + records + " random or mutated records: " + rejected + " rejected "
                + agent.rejectionCounts() + ", " + obeyed + " obeyed (signed text intact), agent alive");
        assertThat(rejected + obeyed).isGreaterThanOrEqualTo(records - 1);
        assertThat(agentThread.isAlive()).isTrue();
        Awaitility.await().atMost(WAIT).until(() -> bus.liveAgents(Duration.ofSeconds(1)).stream()
                .anyMatch(h -> h.agentId().equals(agentId) && h.at().isAfter(floodEnd)));
    }

    @Test
    void aHaltUndoesEverythingAndRefusesCommandsIssuedBeforeIt() throws Exception {
        ApplyCommand early = stop("c-before-halt", Duration.ofMinutes(1));
        send(agentId, signed(stop("c-halted", Duration.ofMinutes(5))));
        await("c-halted", Step.APPLIED);
        awaitStopped();
        // The agent finds the halt topic that appeared after it started.
        bus.halt("agent it");
        assertThat(await("c-halted", Step.UNDONE).detail()).startsWith("halt (agent it): sent CONT");
        assertThat(state()).isNotEqualTo('T');
        send(agentId, signed(early));
        assertThat(await("c-before-halt", Step.REJECTED).detail()).startsWith("halted: ");
        assertThat(state()).isNotEqualTo('T');
    }

    /** Stops the agent under test and starts a new one on the same state directory. */
    private void restartAgent() throws Exception {
        agent.close();
        agentThread.join(20_000);
        agent = Agent.builder(config)
                .drivers(List.of(new ProcessKillDriver(new SignalShell(CommandRunner.SYSTEM), pidFile))).build();
        agentThread = new Thread(agent::run, "agent-under-test");
        agentThread.start();
        assertThat(agent.awaitReady(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void aGarbageHaltRecordAfterAHaltDoesNotMakeARestartedAgentForgetIt() throws Exception {
        Instant issued = Instant.now().minusSeconds(1);
        ApplyCommand early = new ApplyCommand("c-early", "run-it", Target.agent(agentId), new ProcessKillFault(Signal.STOP,
                null), issued, issued.plusSeconds(120), Duration.ofMinutes(1));
        bus.halt("before the garbage");
        // The agent has read the halt once a command issued before it is refused (it finds the new topic within seconds).
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
            String id = "c-probe-" + UUID.randomUUID().toString().substring(0, 6);
            Instant past = Instant.now().minusSeconds(30);
            send(agentId, signed(new ApplyCommand(id, "run-it", Target.agent(agentId), new ProcessKillFault(Signal.STOP,
                    null), past, past.plusSeconds(60), Duration.ofMinutes(1))));
            assertThat(bus.poll(id, Duration.ofSeconds(5), Step.REJECTED, Step.APPLIED).detail()).startsWith("halted: ");
        });
        Awaitility.await().atMost(WAIT).until(() -> state() != 'T');
        // Anyone who can write the halt topic writes garbage after it, under the same key.
        bus.haltRaw("{not a halt".getBytes(StandardCharsets.UTF_8));
        restartAgent();
        send(agentId, signed(early));
        assertThat(await("c-early", Step.REJECTED, Step.APPLIED).detail()).startsWith("halted: ");
        assertThat(state()).isNotEqualTo('T');
    }

    @Test
    void aHaltDatedInTheFutureIsTakenAsOfNowSoLaterCommandsAndHaltsStillWork() throws Exception {
        bus.halt(new Halt(Instant.parse("2100-01-01T00:00:00Z"), "from the future", "someone"));
        // Commands issued after the halt arrived are obeyed: the halt counts from when it was read.
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
            String id = "c-after-" + UUID.randomUUID().toString().substring(0, 6);
            send(agentId, signed(stop(id, Duration.ofMinutes(1))));
            assertThat(bus.poll(id, Duration.ofSeconds(5), Step.APPLIED, Step.REJECTED).step()).isEqualTo(Step.APPLIED);
        });
        awaitStopped();
        // A real halt later still undoes everything.
        bus.halt("real halt");
        Awaitility.await().atMost(WAIT).until(() -> state() != 'T');
    }

    @Test
    void aSecondAgentWithTheSameIdRefusesToRunAndTheFirstKeepsActing(@TempDir Path other) throws Exception {
        AgentConfig twinConfig = new AgentConfig(agentId, Map.of("role", "test"), TestKafka.bootstrapServers(), topics,
                Duration.ofMillis(300), pidFile, null, other.resolve("state"), null, TestKeys.publicKeys());
        Agent twin = Agent.builder(twinConfig)
                .drivers(List.of(new ProcessKillDriver(new SignalShell(CommandRunner.SYSTEM), pidFile))).build();
        Thread twinThread = new Thread(twin::run, "twin-agent");
        twinThread.start();
        try {
            // While the twin waits for the id, the first agent alone acts: one STOP, one applied event.
            send(agentId, signed(stop("c-one", Duration.ofMinutes(1))));
            assertThat(await("c-one", Step.APPLIED, Step.REJECTED).step()).isEqualTo(Step.APPLIED);
            awaitStopped();
            twinThread.join(IdentityGuard.ACQUIRE.plusSeconds(30).toMillis());
            assertThat(twinThread.isAlive()).isFalse();
            assertThat(twin.refusal()).isEqualTo("another agent with id agent-it is running (it holds the consumer "
                    + "group " + topics.prefix() + "agent.agent-it); this one refuses to run: give each agent its own --id");
            assertThat(twin.awaitReady(Duration.ZERO)).isFalse();
            assertThat(bus.events("run-it")).filteredOn(e -> e.commandId().equals("c-one"))
                    .extracting(CommandEvent::step).containsExactly(Step.RECEIVED, Step.APPLIED);
            // The first agent still obeys.
            Instant now = Instant.now();
            send(agentId, signed(new HealCommand("c-one-heal", "run-it", Target.agent(agentId), "c-one", now,
                    now.plusSeconds(30))));
            assertThat(await("c-one", Step.UNDONE).detail()).startsWith("heal: sent CONT");
        } finally {
            twin.close();
            twinThread.join(20_000);
        }
    }
}

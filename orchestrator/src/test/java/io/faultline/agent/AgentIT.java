package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.TelemetryFeed;
import io.faultline.it.TestKafka;
import io.faultline.it.TestKeys;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandEvent.Step;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real broker and a real local process (a {@code sleep}). */
class AgentIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private final Topics topics = new Topics("agent-it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    private final String agentId = "agent-it";
    private Process victim;
    private Agent agent;
    private Thread agentThread;
    private TelemetryFeed telemetry;
    private KafkaProducer<String, byte[]> producer;
    private Path pidFile;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1));
        }
        victim = new ProcessBuilder("sleep", "600").start();
        pidFile = dir.resolve("victim.pid");
        Files.writeString(pidFile, victim.pid() + "\n");
        AgentConfig config = new AgentConfig(agentId, Map.of("role", "test"), bootstrap, topics,
                Duration.ofMillis(300), pidFile, null, dir.resolve("state"), null, TestKeys.publicKeys());
        agent = new Agent(config, Clock.systemUTC(), List.of(new ProcessKillDriver(CommandRunner.SYSTEM, pidFile)));
        agentThread = new Thread(agent::run, "agent-under-test");
        agentThread.start();
        assertThat(agent.awaitReady(Duration.ofSeconds(30))).isTrue();
        telemetry = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), Duration.ofSeconds(5));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(p);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        agentThread.join(20_000);
        producer.close();
        telemetry.close();
        victim.destroyForcibly();
    }

    private final CommandSigner signer = TestKeys.signer();

    private byte[] signed(Command c) {
        return signer.seal(c);
    }

    private void send(String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topics.commands(), key, value)).get();
    }

    private ApplyCommand stop(String id, Duration lease) {
        Instant now = Instant.now();
        return new ApplyCommand(id, "run-it", Target.agent(agentId), new ProcessKillFault(Signal.STOP, null),
                now, now.plusSeconds(30), lease);
    }

    private CommandEvent await(String commandId, Step... steps) throws InterruptedException {
        TelemetryFeed.Received<CommandEvent> r = telemetry.awaitCommandEvent(commandId, Set.of(steps), WAIT);
        assertThat(r).as("telemetry for %s", commandId).isNotNull();
        return r.event();
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
        assertThat(state()).isEqualTo('T');
        assertThat(agent.activeFaults()).containsKey("c-stop");

        Instant now = Instant.now();
        send(agentId, signed(new HealCommand("c-heal", "run-it", Target.agent(agentId), "c-stop", now, now.plusSeconds(30))));
        CommandEvent undone = await("c-stop", Step.UNDONE);
        assertThat(undone.detail()).startsWith("heal: sent CONT");
        assertThat(state()).isNotEqualTo('T');
        assertThat(agent.activeFaults()).isEmpty();
    }

    @Test
    void undoesTheFaultWhenItsLeaseRunsOut() throws Exception {
        send(agentId, signed(stop("c-lease", Duration.ofSeconds(1))));
        await("c-lease", Step.APPLIED);
        assertThat(state()).isEqualTo('T');
        CommandEvent undone = await("c-lease", Step.UNDONE);
        assertThat(undone.detail()).startsWith("lease expired");
        assertThat(state()).isNotEqualTo('T');
    }

    @Test
    void undoesEverythingOnShutdown() throws Exception {
        send(agentId, signed(stop("c-shutdown", Duration.ofMinutes(5))));
        await("c-shutdown", Step.APPLIED);
        assertThat(state()).isEqualTo('T');
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
        assertThat(await("c-nopid", Step.FAILED).detail()).contains("cannot read pid file");

        // A command for another agent is ignored; the agent still heartbeats and still obeys.
        send("someone-else", signed(new ApplyCommand("c-other", "run-it", Target.agent("someone-else"),
                new ProcessKillFault(Signal.KILL, null), now, now.plusSeconds(30), Duration.ofMinutes(1))));
        send(agentId, signed(stop("c-after", Duration.ofMinutes(1))));
        assertThat(await("c-after", Step.APPLIED, Step.FAILED).step()).isEqualTo(Step.APPLIED);
        assertThat(telemetry.awaitCommandEvent("c-other", Set.of(Step.values()), Duration.ofMillis(500))).isNull();
        assertThat(victim.isAlive()).isTrue();
        List<TelemetryFeed.Received<CommandEvent>> events = telemetry.commandEvents("run-it");
        assertThat(events).extracting(r -> r.event().step()).contains(Step.REJECTED, Step.FAILED, Step.APPLIED);
        Thread.sleep(700);
        assertThat(telemetry.liveAgents(Duration.ofMillis(600))).extracting(h -> h.agentId()).contains(agentId);
    }

    @Test
    void dropsADuplicateDeliveryOfTheSameCommand() throws Exception {
        byte[] once = signed(stop("c-dup", Duration.ofMinutes(1)));
        send(agentId, once);
        send(agentId, once);
        await("c-dup", Step.APPLIED);
        Thread.sleep(1000);
        long received = telemetry.commandEvents("run-it").stream()
                .filter(r -> r.event().commandId().equals("c-dup") && r.event().step() == Step.RECEIVED).count();
        assertThat(received).isEqualTo(1);
    }
}

package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.kafka.memory.MemoryConsumer;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Halt;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySignature;
import io.faultline.protocol.Topics;
import io.faultline.time.ManualScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent without a broker: its poll loop reads kafka-clients' {@code MockConsumer}, its
 * telemetry goes to a {@code MockProducer}, and its time is a {@link ManualScheduler} the test
 * moves by hand. The fault is real: a process beside it is stopped with SIGSTOP and its state is
 * read from {@code /proc}. Nothing here waits for a lease in real time.
 */
class AgentTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Topics TOPICS = Topics.defaults();
    private static final TopicPartition COMMANDS = new TopicPartition(TOPICS.commands(), 0);
    private static final TopicPartition HALT = new TopicPartition(TOPICS.halt(), 0);

    @TempDir
    Path dir;
    private final ManualScheduler time = new ManualScheduler(T0);
    private final FakeKafka kafka = new FakeKafka();
    private final ExecutorService driverPool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-driver");
        t.setDaemon(true);
        return t;
    });
    private final List<Process> victims = new ArrayList<>();
    private Agent agent;
    private Thread loop;
    private Path service;

    @AfterEach
    void tearDown() {
        if (loop != null && loop.isAlive()) {
            stopAgent();
        }
        victims.forEach(p -> p.toHandle().destroyForcibly());
        driverPool.shutdownNow();
    }

    @Test
    void appliesRenewsAndUndoesAFaultWhenItsLeaseRunsOut() throws Exception {
        startAgent();
        kafka.command(stop("c-1"));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.APPLIED));
        assertThat(state()).isEqualTo('T');
        assertThat(steps("c-1")).containsExactly(CommandEvent.Step.RECEIVED, CommandEvent.Step.APPLIED);
        time.advance(Duration.ofSeconds(1));
        settleUntil(() -> heartbeats().stream().anyMatch(h -> h.activeFaults().equals(List.of("c-1"))));

        // Renewed every half lease, it stays three leases long.
        for (int i = 1; i <= 6; i++) {
            time.advance(LEASE.dividedBy(2));
            sendAndAwaitHandled(renew("c-1", i));
        }
        assertThat(agent.activeFaults()).containsKey("c-1");
        assertThat(state()).isEqualTo('T');

        // Renewals stop: the last one's lease ends, and not before.
        time.advance(LEASE.minusMillis(1));
        assertThat(agent.activeFaults()).containsKey("c-1");
        time.advance(Duration.ofMillis(1));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.UNDONE));
        assertThat(state()).isEqualTo('S');
        assertThat(agent.activeFaults()).isEmpty();
    }

    @Test
    void aHealUndoesTheFaultAndShutdownLeavesNothingApplied() throws Exception {
        startAgent();
        kafka.command(stop("c-1"));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.APPLIED));
        kafka.command(new HealCommand("c-1.heal", "run-1", Target.agent("agent-1"), "c-1", now(),
                now().plusSeconds(15)));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.UNDONE));
        assertThat(state()).isEqualTo('S');

        kafka.command(stop("c-2"));
        settleUntil(() -> steps("c-2").contains(CommandEvent.Step.APPLIED));
        assertThat(state()).isEqualTo('T');
        stopAgent();
        assertThat(state()).isEqualTo('S');
        assertThat(steps("c-2")).endsWith(CommandEvent.Step.UNDONE);
        assertThat(kafka.telemetryClosed()).isTrue();
    }

    @Test
    void aHaltIsObeyedWhileADriverHangs() throws Exception {
        Gate gate = new Gate(processDriver());
        startAgent(gate);
        kafka.command(stop("c-stop"));
        settleUntil(() -> steps("c-stop").contains(CommandEvent.Step.APPLIED));
        kafka.command(stop("hang-1"));
        settleUntil(gate::entered);

        kafka.halt(new Halt(now(), "test", "tester"));
        settleUntil(() -> state() == 'S' && steps("c-stop").contains(CommandEvent.Step.UNDONE));
        // The hung apply may still take effect: it stays held until its driver answers.
        assertThat(agent.activeFaults()).containsOnlyKeys("hang-1");
        time.advance(Agent.DRIVER_DEADLINE);
        settleUntil(() -> steps("hang-1").contains(CommandEvent.Step.FAILED));
        gate.release();
        settleUntil(() -> agent.activeFaults().isEmpty() && steps("hang-1").contains(CommandEvent.Step.UNDONE));
        assertThat(steps("hang-1")).endsWith(CommandEvent.Step.APPLIED, CommandEvent.Step.UNDONE);
    }

    @Test
    void commandsWaitAtStartUntilTheHaltTopicIsReadOrItsDeadlinePasses() throws Exception {
        // The halt topic holds a record the agent cannot read yet: commands are held back.
        kafka.haltEnd(1);
        startAgent();
        kafka.command(stop("c-1"));
        long polls = kafka.polls();
        settleUntil(() -> kafka.polls() > polls + 5);
        assertThat(kafka.paused()).contains(COMMANDS);
        time.advance(CommandConsumer.HALT_CATCH_UP.minusMillis(1));
        long later = kafka.polls();
        settleUntil(() -> kafka.polls() > later + 5);
        assertThat(kafka.paused()).contains(COMMANDS);
        assertThat(steps("c-1")).isEmpty();

        // At the deadline commands are read anyway; this one has expired meanwhile and is refused.
        time.advance(Duration.ofMillis(1));
        settleUntil(() -> !kafka.paused().contains(COMMANDS));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.REJECTED));
        kafka.command(stop("c-2"));
        settleUntil(() -> steps("c-2").contains(CommandEvent.Step.APPLIED));
    }

    @Test
    void aForgedCommandIsRejectedOnTelemetryAndTheAgentGoesOn() throws Exception {
        startAgent();
        kafka.raw("agent-1", "{\"not\":\"a command\"}".getBytes());
        settleUntil(() -> events().stream().anyMatch(e -> e instanceof CommandEvent c
                && c.step() == CommandEvent.Step.REJECTED));
        assertThat(agent.rejectionCounts()).isNotEmpty();
        kafka.command(stop("c-1"));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.APPLIED));
    }

    @Test
    void everythingItPublishesIsSignedWithItsOwnKeyMadeAtFirstStart() throws Exception {
        startAgent();
        kafka.command(stop("c-1"));
        settleUntil(() -> steps("c-1").contains(CommandEvent.Step.APPLIED));
        time.advance(Duration.ofSeconds(1));
        settleUntil(() -> !heartbeats().isEmpty());
        stopAgent();
        Path pub = dir.resolve("state").resolve(TelemetryKey.DIR).resolve("agent-1" + KeyFiles.PUBLIC_SUFFIX);
        TelemetrySignature trust = new TelemetrySignature(KeyFiles.publicKeys(List.of(pub)));
        List<ProducerRecord<String, byte[]>> records = kafka.telemetry.history();
        assertThat(records).hasSizeGreaterThan(3);
        for (ProducerRecord<String, byte[]> r : records) {
            TelemetryEvent e = Json.decode(r.value(), TelemetryEvent.class);
            assertThat(trust.check(e.agentId(), header(r, TelemetrySignature.KEY_ID),
                    header(r, TelemetrySignature.SIGNATURE), r.value())).isEqualTo("agent-1");
        }
    }

    private static String header(ProducerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @BeforeEach
    void startService() throws IOException {
        service = victim();
    }

    private ProcessKillDriver processDriver() {
        return new ProcessKillDriver(CommandRunner.SYSTEM, service);
    }

    private void startAgent() throws Exception {
        startAgent(processDriver());
    }

    private void startAgent(FaultDriver<?> driver) throws Exception {
        AgentConfig config = AgentConfig.builder("agent-1", "unused:9092", dir.resolve("state"),
                Map.of("ops", IntakeFixture.KEYS.getPublic())).labels(Map.of("role", "test")).topics(TOPICS)
                .servicePidFile(service).build();
        agent = Agent.builder(config).scheduler(time).clients(kafka).drivers(List.of(driver))
                .driverCalls(new DriverCalls(time, driverPool, Agent.DRIVER_DEADLINE)).build();
        loop = new Thread(agent::run, "agent-under-test");
        loop.setDaemon(true);
        loop.start();
        assertThat(agent.awaitReady(Duration.ofSeconds(20))).isTrue();
    }

    /** Closes the agent from another thread while this one runs what falls due, as its scheduler would. */
    private void stopAgent() {
        Thread closer = new Thread(agent::close, "closer");
        closer.start();
        settleUntil(() -> !loop.isAlive());
    }

    private Path victim() throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        victims.add(p);
        Path pid = dir.resolve("service.pid");
        Files.writeString(pid, Long.toString(p.pid()));
        return pid;
    }

    /** The service's state letter from /proc: T when stopped, S when sleeping. */
    private char state() throws IOException {
        String stat = Files.readString(Path.of("/proc", Files.readString(service).strip(), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private Instant now() {
        return time.clock().instant();
    }

    private ApplyCommand stop(String id) {
        return new ApplyCommand(id, "run-1", Target.agent("agent-1"), new ProcessKillFault(Signal.STOP,
                ProcessSelector.SERVICE), now(), now().plusSeconds(15), LEASE);
    }

    private RenewCommand renew(String faultId, int n) {
        return new RenewCommand(faultId + ".renew." + n, "run-1", Target.agent("agent-1"), faultId, now(),
                now().plusSeconds(5), LEASE);
    }

    /**
     * Sends {@code c} and waits until the poll loop has handled it (read it, and polled again after),
     * then runs what it scheduled: a renewal leaves no telemetry to wait for.
     */
    private void sendAndAwaitHandled(Command c) {
        long seen = kafka.commandsRead();
        kafka.command(c);
        settleUntil(() -> kafka.commandsRead() > seen);
        long polls = kafka.polls();
        settleUntil(() -> kafka.polls() > polls);
    }

    /** Runs what falls due (the driver threads' answers among it) until {@code condition} holds. */
    private void settleUntil(Callable<Boolean> condition) {
        Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5)).until(() -> {
            time.runDue();
            return condition.call();
        });
    }

    private List<TelemetryEvent> events() {
        return kafka.telemetry.history().stream().map(r -> Json.decode(r.value(), TelemetryEvent.class)).toList();
    }

    private List<CommandEvent.Step> steps(String commandId) {
        return events().stream().filter(e -> e instanceof CommandEvent c && commandId.equals(c.commandId()))
                .map(e -> ((CommandEvent) e).step()).toList();
    }

    private List<AgentHeartbeat> heartbeats() {
        return events().stream().filter(AgentHeartbeat.class::isInstance).map(AgentHeartbeat.class::cast).toList();
    }

    /** A process driver whose applies of commands named {@code hang-*} hang until released, ignoring interrupts. */
    private static final class Gate implements FaultDriver<ProcessKillFault> {
        private final ProcessKillDriver real;
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        Gate(ProcessKillDriver real) {
            this.real = real;
        }

        boolean entered() {
            return entered.getCount() == 0;
        }

        void release() {
            released.countDown();
        }

        @Override
        public Class<ProcessKillFault> faultClass() {
            return ProcessKillFault.class;
        }

        @Override
        public String faultType() {
            return real.faultType();
        }

        @Override
        public Applied apply(String commandId, ProcessKillFault fault) throws FaultException {
            if (!commandId.startsWith("hang")) {
                return real.apply(commandId, fault);
            }
            entered.countDown();
            while (true) {
                try {
                    released.await();
                    break;
                } catch (InterruptedException e) {
                    // A driver stuck in an uninterruptible call ignores the deadline's interrupt.
                }
            }
            return new Applied() {
                @Override
                public String detail() {
                    return "held";
                }

                @Override
                public String undo() {
                    return "let go";
                }
            };
        }

        @Override
        public String recover(String commandId, ProcessKillFault fault) throws FaultException {
            return real.recover(commandId, fault);
        }
    }

    /**
     * Kafka as the agent sees it: one partition each of commands and halt, an identity group that
     * gives this agent its id at once, and telemetry kept in order.
     */
    private static final class FakeKafka implements AgentClients {
        private final MemoryConsumer<String, byte[]> commands = new MemoryConsumer<>("earliest", COMMANDS.topic(),
                HALT.topic());
        private final MemoryConsumer<byte[], byte[]> identity = new MemoryConsumer<>("earliest", COMMANDS.topic()) {
            @Override
            public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
                super.subscribe(topics, listener);
                schedulePollTask(() -> rebalance(List.of(COMMANDS)));
            }
        };
        final MockProducer<String, byte[]> telemetry = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        /** The halt topic's end at the agent's start, beyond what it can read. */
        void haltEnd(long end) {
            commands.startAt(HALT.topic(), end);
        }

        void command(Command c) {
            raw(c.target().agentId(), IntakeFixture.SIGNER.seal(c));
        }

        void raw(String key, byte[] value) {
            commands.append(COMMANDS.topic(), key, value);
        }

        void halt(Halt halt) {
            commands.append(HALT.topic(), Halt.KEY, Json.encode(halt));
        }

        long commandsRead() {
            return commands.position(COMMANDS);
        }

        long polls() {
            return commands.polls();
        }

        Set<TopicPartition> paused() {
            return commands.paused();
        }

        boolean telemetryClosed() {
            return telemetry.closed();
        }

        @Override
        public Consumer<String, byte[]> commands() {
            return commands;
        }

        @Override
        public Consumer<byte[], byte[]> identity(String group) {
            return identity;
        }

        @Override
        public Producer<String, byte[]> telemetry() {
            return telemetry;
        }

        @Override
        public Admin admin() {
            throw new UnsupportedOperationException("the halt topic exists from the start here");
        }
    }
}

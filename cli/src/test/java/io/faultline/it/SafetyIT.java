package io.faultline.it;

import io.faultline.broker.EmbeddedKafka;
import io.faultline.cli.Faultline;
import io.faultline.demo.ChildJvm;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.TelemetryFeed;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.KafkaQuotaFault;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.Procs;
import io.faultline.testkit.TestKafka;
import io.faultline.testkit.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/**
 * No fault outlives the experiment: an agent killed mid-fault, a broker stopped mid-fault and a
 * halt with no orchestrator, each against a real broker, real agent processes and a real
 * {@code sleep} process they freeze (SIGSTOP). Each test checks the process really runs again.
 */
class SafetyIT {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private final Topics topics = new Topics("safety-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    private final CommandSigner signer = TestKeys.signer();
    private final List<Process> processes = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            ChildJvm.stop(p, Duration.ofSeconds(10));
            p.destroyForcibly();
        }
    }

    /** A process to freeze, with its pid file. */
    private Path sleeper(String name) throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        processes.add(p);
        Path pid = dir.resolve(name + ".pid");
        Files.writeString(pid, p.pid() + "\n");
        return pid;
    }

    private Process agent(String bootstrap, String id, Path pidFile) throws IOException {
        Process p = AgentProcess.of(id, bootstrap, dir).topics(topics)
                .option("--service-pid-file", pidFile.toString()).start();
        processes.add(p);
        return p;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private ApplyCommand freeze(String agentId, Duration lease) {
        Instant now = Instant.now();
        return new ApplyCommand("freeze-" + UUID.randomUUID().toString().substring(0, 8), "safety-it",
                Target.agent(agentId), new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(30), lease);
    }

    private void send(KafkaProducer<String, byte[]> producer, Command c) throws Exception {
        producer.send(new ProducerRecord<>(topics.commands(), c.target().recordKey(), signer.seal(c)))
                .get(5, TimeUnit.SECONDS);
    }

    private static CommandEvent awaitStep(TelemetryFeed feed, String commandId, CommandEvent.Step step) throws Exception {
        TelemetryFeed.Received<CommandEvent> r = feed.awaitCommandEvent(commandId, Set.of(step),
                Duration.ofSeconds(60));
        assertThat(r).as("%s of %s", step, commandId).isNotNull();
        return r.event();
    }

    private static void ensureTopics(String bootstrap, Topics topics) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureFaultlineTopics(admin, topics);
        }
    }

    @Test
    void anAgentKilledMidFaultUndoesTheLeftoverAtItsNextStart() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        ensureTopics(bootstrap, topics);
        Path pid = sleeper("victim");
        try (TelemetryFeed feed = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), ONE_SECOND);
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            Process agent = agent(bootstrap, "agent-killed", pid);
            awaitAgent(feed, "agent-killed");
            ApplyCommand freeze = freeze("agent-killed", Duration.ofMinutes(5));
            send(producer, freeze);
            awaitStep(feed, freeze.commandId(), CommandEvent.Step.APPLIED);
            awaitStopped(pid);

            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // Nobody undoes it while no agent runs: the agent was SIGKILLed.
            await().during(ONE_SECOND).atMost(Duration.ofSeconds(5)).until(() -> Procs.state(pid) == 'T');

            agent(bootstrap, "agent-killed", pid);
            await().atMost(Duration.ofSeconds(30)).until(() -> Procs.state(pid) != 'T');
            CommandEvent undone = awaitStep(feed, freeze.commandId(), CommandEvent.Step.UNDONE);
            assertThat(undone.detail()).startsWith("restart: leftover of agent pid " + agent.pid() + " undone: sent CONT");
        }
    }

    @Test
    void aKafkaAdminAgentKilledHoldingAQuotaGivesBackTheQuotaThatWasThereAtItsNextStart() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        ensureTopics(bootstrap, topics);
        String client = "safety-quota-" + UUID.randomUUID().toString().substring(0, 8);
        Path policy = dir.resolve("kafka-admin-policy.yaml");
        Files.writeString(policy, "kafka:\n  clientIds: [\"safety-quota-*\"]\n");
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, client));
        try (Admin admin = KafkaClients.admin(bootstrap);
             TelemetryFeed feed = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), ONE_SECOND);
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            // What the operator had set: a fetch quota the fault leaves alone and must leave as it was.
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, List.of(
                    new ClientQuotaAlteration.Op("consumer_byte_rate", 1_048_576.0))))).all().get(15, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(15)).until(() -> quotas(admin, client)
                    .equals(Map.of("consumer_byte_rate", 1_048_576.0)));
            Process agent = kafkaAdmin(bootstrap, policy);
            awaitAgent(feed, "agent-kafka-admin");
            Instant now = Instant.now();
            ApplyCommand throttle = new ApplyCommand("throttle-" + UUID.randomUUID().toString().substring(0, 8),
                    "safety-it", Target.agent("agent-kafka-admin"), new KafkaQuotaFault(client, null, 2048L, null, null),
                    now, now.plusSeconds(30), Duration.ofMinutes(5));
            send(producer, throttle);
            awaitStep(feed, throttle.commandId(), CommandEvent.Step.APPLIED);
            assertThat(quotas(admin, client)).isEqualTo(Map.of("consumer_byte_rate", 1_048_576.0,
                    "producer_byte_rate", 2048.0));

            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // Nobody gives it back while no agent runs: the agent was SIGKILLed.
            await().during(ONE_SECOND).atMost(Duration.ofSeconds(5)).until(() -> quotas(admin, client)
                    .containsKey("producer_byte_rate"));

            kafkaAdmin(bootstrap, policy);
            await().atMost(Duration.ofSeconds(60)).until(() -> quotas(admin, client)
                    .equals(Map.of("consumer_byte_rate", 1_048_576.0)));
            CommandEvent undone = awaitStep(feed, throttle.commandId(), CommandEvent.Step.UNDONE);
            assertThat(undone.detail()).startsWith("restart: leftover of agent pid " + agent.pid() + " undone");
        }
    }

    private Process kafkaAdmin(String bootstrap, Path policy) throws IOException {
        Process p = AgentProcess.of("agent-kafka-admin", bootstrap, dir).topics(topics).option("--kafka-admin")
                .option("--policy", policy.toString()).start();
        processes.add(p);
        return p;
    }

    /** The quotas set on {@code clientId} alone, as the brokers describe them. */
    private static Map<String, Double> quotas(Admin admin, String clientId) throws Exception {
        Map<ClientQuotaEntity, Map<String, Double>> all = admin.describeClientQuotas(ClientQuotaFilter.containsOnly(
                List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, clientId))))
                .entities().get(15, TimeUnit.SECONDS);
        return all.values().stream().findFirst().orElse(Map.of());
    }

    @Test
    void aBrokerStoppedMidFaultLetsTheLeaseUndoItWithinLeasePlusOneSecond() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(Files.createDirectory(dir.resolve("kafka")));
        try {
            String bootstrap = kafka.bootstrapServers();
            ensureTopics(bootstrap, topics);
            Path pid = sleeper("victim");
            AtomicLong lastRenewalAcked = new AtomicLong();
            try (TelemetryFeed feed = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), ONE_SECOND);
                 KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                agent(bootstrap, "agent-cut-off", pid);
                awaitAgent(feed, "agent-cut-off");
                ApplyCommand freeze = freeze("agent-cut-off", LEASE);
                send(producer, freeze);
                awaitStep(feed, freeze.commandId(), CommandEvent.Step.APPLIED);
                // Renew every second, as the orchestrator does, for longer than the lease.
                ScheduledExecutorService renewer =
                        Executors.newSingleThreadScheduledExecutor(r -> {
                            Thread t = new Thread(r, "renewer");
                            t.setDaemon(true);
                            return t;
                        });
                AtomicInteger renewals = new AtomicInteger();
                renewer.scheduleAtFixedRate(() -> {
                    Instant now = Instant.now();
                    try {
                        send(producer, new RenewCommand(freeze.commandId() + ".renew." + renewals.getAndIncrement(),
                                "safety-it", freeze.target(), freeze.commandId(), now, now.plusSeconds(2), LEASE));
                        lastRenewalAcked.set(System.nanoTime());
                    } catch (Exception e) {
                        // The broker is going away; keep trying, as an orchestrator would.
                    }
                }, 0, 1, TimeUnit.SECONDS);
                // Renewed leases keep the fault for twice its lease.
                await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(4)).until(() -> Procs.state(pid) == 'T');

                kafka.close();
                long resumed = awaitResumed(pid, Duration.ofSeconds(15));
                renewer.shutdownNow();
                Duration afterLastRenewal = Duration.ofNanos(resumed - lastRenewalAcked.get());
                System.out.println("broker stopped: process resumed " + afterLastRenewal.toMillis()
                        + " ms after the last renewal reached the broker (lease " + LEASE.toMillis() + " ms)");
                assertThat(afterLastRenewal).isLessThanOrEqualTo(LEASE.plus(ONE_SECOND));
            }
        } finally {
            kafka.close();
        }
    }

    @Test
    void aHaltWithNoOrchestratorUndoesEveryAgentsFaultsLongBeforeTheirLeases() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        ensureTopics(bootstrap, topics);
        Path first = sleeper("first");
        Path second = sleeper("second");
        try (TelemetryFeed feed = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), ONE_SECOND);
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            agent(bootstrap, "agent-a", first);
            agent(bootstrap, "agent-b", second);
            awaitAgent(feed, "agent-a");
            awaitAgent(feed, "agent-b");
            ApplyCommand a = freeze("agent-a", Duration.ofMinutes(10));
            ApplyCommand b = freeze("agent-b", Duration.ofMinutes(10));
            send(producer, a);
            send(producer, b);
            awaitStep(feed, a.commandId(), CommandEvent.Step.APPLIED);
            awaitStep(feed, b.commandId(), CommandEvent.Step.APPLIED);
            awaitStopped(first);
            awaitStopped(second);

            assertThat(Faultline.commandLine().execute("halt", "-b", bootstrap, "--topic-prefix", topics.prefix(),
                    "--reason", "safety it")).isZero();
            long halted = System.nanoTime();
            long firstBack = awaitResumed(first, Duration.ofSeconds(10));
            long secondBack = awaitResumed(second, Duration.ofSeconds(10));
            System.out.println("halt: resumed after " + (firstBack - halted) / 1_000_000 + " ms and "
                    + (secondBack - halted) / 1_000_000 + " ms");
            // Ten-minute leases: both resumed within awaitResumed's 10 s and undone "by halt" is the halt's doing.
            assertThat(awaitStep(feed, a.commandId(), CommandEvent.Step.UNDONE).detail()).startsWith("halt (safety it)");
            assertThat(awaitStep(feed, b.commandId(), CommandEvent.Step.UNDONE).detail()).startsWith("halt (safety it)");
        }
    }

    private static void awaitAgent(TelemetryFeed feed, String id) throws InterruptedException {
        assertThat(feed.awaitAgents(h -> h.agentId().equals(id), Duration.ofSeconds(2), Duration.ofSeconds(60)))
                .as("agent %s heartbeats", id).isNotEmpty();
    }

    /** SIGSTOP is delivered asynchronously: the process may show R for a moment before T. */
    static void awaitStopped(Path pidFile) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> Procs.state(pidFile) == 'T');
    }

    /** Polls the process's state until it is no longer stopped; returns System.nanoTime() then. */
    static long awaitResumed(Path pidFile, Duration timeout) {
        await("pid in " + pidFile + " resumed").atMost(timeout).pollInterval(Duration.ofMillis(10))
                .until(() -> Procs.state(pidFile) != 'T');
        return System.nanoTime();
    }

    @Test
    void aKilledServiceIsRestartedOnHealWhenTheFaultSaysSo() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        ensureTopics(bootstrap, topics);
        Path state = dir.resolve("state-agent-exec");
        try (TelemetryFeed feed = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), ONE_SECOND);
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            Process agent = AgentProcess.of("agent-exec", bootstrap, dir).topics(topics).exec("sleep", "600").start();
            processes.add(agent);
            awaitAgent(feed, "agent-exec");
            Path servicePid = state.resolve("service.pid");
            long first = Long.parseLong(Files.readString(servicePid).strip().split("\\s+")[0]);
            Instant now = Instant.now();
            ApplyCommand kill = new ApplyCommand("kill-" + UUID.randomUUID().toString().substring(0, 8), "safety-it",
                    Target.agent("agent-exec"), new ProcessKillFault(Signal.KILL, null, true), now, now.plusSeconds(30),
                    Duration.ofMinutes(1));
            send(producer, kill);
            assertThat(awaitStep(feed, kill.commandId(), CommandEvent.Step.APPLIED).detail()).contains("KILL", Long.toString(first));
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(first).map(p -> !p.isAlive()).orElse(true));

            now = Instant.now();
            send(producer, new HealCommand("heal-" + kill.commandId(), "safety-it", kill.target(),
                    kill.commandId(), now, now.plusSeconds(30)));
            CommandEvent undone = awaitStep(feed, kill.commandId(), CommandEvent.Step.UNDONE);
            assertThat(undone.detail()).startsWith("heal: restarted the service: started pid");
            long second = Long.parseLong(Files.readString(servicePid).strip().split("\\s+")[0]);
            assertThat(second).isNotEqualTo(first);
            assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive)).contains(true);

            ChildJvm.stop(agent, Duration.ofSeconds(10));
            assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false))
                    .as("the agent stops the service it runs").isFalse();
        }
    }
}

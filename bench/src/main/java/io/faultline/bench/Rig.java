package io.faultline.bench;

import io.faultline.agent.Agent;
import io.faultline.agent.AgentConfig;
import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.agent.driver.SignalShell;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.TelemetryFeed;
import io.faultline.engine.TelemetryGate;
import io.faultline.kafka.Clients;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.protocol.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The orchestrator's side of a benchmark: a signing key, a producer for commands, and the
 * telemetry feed, which believes only what the agents' telemetry key signed, as a run given
 * {@code --agent-keys} does (so every figure includes signing and checking each report).
 */
final class Rig implements AutoCloseable {
    final String bootstrap;
    final Topics topics;
    final Path dir;
    final KeyPair keys = KeyFiles.newKeyPair();
    final CommandSigner signer = new CommandSigner("bench", keys.getPrivate());
    /** The key every benchmark agent signs its telemetry with, and the feed trusts. */
    final KeyPair agentKeys = KeyFiles.newKeyPair();
    final KafkaProducer<String, byte[]> producer;
    final TelemetryFeed feed;
    private final List<SignalShell> shells = new CopyOnWriteArrayList<>();

    Rig(String bootstrap, String prefix, Path dir) throws Exception {
        this.bootstrap = bootstrap;
        this.topics = new Topics(prefix);
        this.dir = dir;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureFaultlineTopics(admin, topics);
        }
        producer = new KafkaProducer<>(producerProps(bootstrap));
        feed = new TelemetryFeed(Clients.consumer(KafkaConnection.of(bootstrap), "bench-telemetry"), topics.telemetry(),
                Clock.systemUTC(), Duration.ofSeconds(30), TelemetryGate.of(Map.of("bench-agents", agentKeys.getPublic())));
    }

    static Properties producerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    void send(Command c) throws Exception {
        producer.send(new ProducerRecord<>(topics.commands(), c.target().recordKey(), signer.seal(c))).get(10, TimeUnit.SECONDS);
    }

    /** A {@code sleep} process and its pid file: the cheap real fault's victim. */
    Path sleeper(String name) throws IOException {
        Process p = new ProcessBuilder("sleep", "3600").start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        Path pid = dir.resolve(name + ".pid");
        Files.writeString(pid, p.pid() + "\n");
        return pid;
    }

    /** An in-process agent beside a sleeper, ready to take commands. */
    Agent agent(String id, Map<String, String> labels, Path pidFile, Duration heartbeat) throws Exception {
        AgentConfig config = new AgentConfig(id, labels, bootstrap, topics, heartbeat, pidFile, null,
                dir.resolve("state-" + id), null, Map.of("bench", keys.getPublic()));
        Agent agent = Agent.builder(config).drivers(List.of(processDriver(pidFile)))
                .telemetrySigner(new TelemetrySigner("bench-agents", agentKeys.getPrivate())).build();
        Thread t = new Thread(agent::run, "agent-" + id);
        t.setDaemon(true);
        t.start();
        return agent;
    }

    /** The process driver as {@code faultline agent} builds it: signals through its own resident shell. */
    ProcessKillDriver processDriver(Path pidFile) {
        SignalShell shell = new SignalShell(CommandRunner.SYSTEM);
        shells.add(shell);
        return new ProcessKillDriver(shell, pidFile);
    }

    @Override
    public void close() {
        shells.forEach(SignalShell::close);
        producer.close(Duration.ofSeconds(2));
        feed.close();
    }
}

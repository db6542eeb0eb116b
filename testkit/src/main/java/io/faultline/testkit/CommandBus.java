package io.faultline.testkit;

import io.faultline.engine.KafkaClients;
import io.faultline.engine.TelemetryFeed;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.Halt;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes commands to agents and waits for their reports, as the orchestrator does, for tests. */
public final class CommandBus implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final Topics topics;
    private final CommandSigner signer = TestKeys.signer();
    private final Map<String, String> outstanding = new ConcurrentHashMap<>();
    private final KafkaProducer<String, byte[]> producer;
    public final TelemetryFeed telemetry;

    public CommandBus(String bootstrap, Topics topics) throws Exception {
        this.topics = topics;
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureFaultlineTopics(admin, topics);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.telemetry = new TelemetryFeed(bootstrap, topics.telemetry(), Clock.systemUTC(), Duration.ofSeconds(10));
    }

    /** Waits for the agent's heartbeat and returns it. */
    public AgentHeartbeat awaitAgent(String agentId) throws InterruptedException {
        List<AgentHeartbeat> live = telemetry.awaitAgents(hb -> hb.agentId().equals(agentId), Duration.ofSeconds(5),
                Duration.ofSeconds(60));
        if (live.isEmpty()) {
            throw new AssertionError("agent " + agentId + " did not heartbeat within 60 s");
        }
        return live.get(0);
    }

    /** Sends a fault and returns the agent's verdict on it: applied, failed or rejected. */
    public CommandEvent apply(String agentId, FaultSpec fault, Duration lease) throws Exception {
        String id = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        send(agentId, new ApplyCommand(id, "net-it", Target.agent(agentId), fault, now, now.plusSeconds(30), lease));
        outstanding.put(id, agentId);
        return await(id, CommandEvent.Step.APPLIED, CommandEvent.Step.FAILED, CommandEvent.Step.REJECTED);
    }

    public CommandEvent heal(String agentId, String faultCommandId) throws Exception {
        outstanding.remove(faultCommandId);
        Instant now = Instant.now();
        send(agentId, new HealCommand("heal-" + faultCommandId, "net-it", Target.agent(agentId), faultCommandId, now,
                now.plusSeconds(30)));
        return await(faultCommandId, CommandEvent.Step.UNDONE, CommandEvent.Step.FAILED);
    }

    /** Heals every fault a test applied and did not heal, so that one failure does not spill into the next test. */
    public void healOutstanding() throws Exception {
        for (Map.Entry<String, String> e : Map.copyOf(outstanding).entrySet()) {
            heal(e.getValue(), e.getKey());
        }
    }

    public CommandEvent await(String commandId, CommandEvent.Step... steps) throws InterruptedException {
        TelemetryFeed.Received<CommandEvent> r = telemetry.awaitCommandEvent(commandId,
                EnumSet.copyOf(List.of(steps)), WAIT);
        if (r == null) {
            throw new AssertionError("no " + List.of(steps) + " report for " + commandId + " within " + WAIT);
        }
        return r.event();
    }

    private void send(String key, Object command) throws Exception {
        producer.send(new ProducerRecord<>(topics.commands(), key, signer.seal((Command) command))).get();
    }

    /** Signs {@code command} with the test key and sends it keyed by its target. */
    public void send(Command command) throws Exception {
        send(command.target().recordKey(), command);
    }

    /** The signed record of {@code command}, to send again or to tamper with. */
    public byte[] seal(Command command) {
        return signer.seal(command);
    }

    /** Sends {@code value} as it is, signed or not, to the commands topic under {@code key}. */
    public void sendRaw(String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topics.commands(), key, value)).get();
    }

    /** Publishes a halt, as {@code faultline halt} does. */
    public Halt halt(String reason) throws Exception {
        return halt(new Halt(Instant.now(), reason, "testkit"));
    }

    /** Publishes {@code halt} as it is, whatever its time. */
    public Halt halt(Halt halt) throws Exception {
        haltRaw(Json.encode(halt));
        return halt;
    }

    /** Writes {@code value} to the halt topic under the halt key, as anyone with write access could. */
    public void haltRaw(byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topics.halt(), Halt.KEY, value)).get();
    }

    /** Every report received so far on commands of run {@code runId}. */
    public List<CommandEvent> events(String runId) {
        return telemetry.commandEvents(runId).stream().map(TelemetryFeed.Received::event).toList();
    }

    /** The report on {@code commandId} with one of {@code steps} if it arrives within {@code wait}; null if not. */
    public CommandEvent poll(String commandId, Duration wait, CommandEvent.Step... steps) throws InterruptedException {
        TelemetryFeed.Received<CommandEvent> r = telemetry.awaitCommandEvent(commandId,
                EnumSet.copyOf(List.of(steps)), wait);
        return r == null ? null : r.event();
    }

    /** Agents whose last heartbeat arrived within {@code maxAge}. */
    public List<AgentHeartbeat> liveAgents(Duration maxAge) {
        return telemetry.liveAgents(maxAge);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
        telemetry.close();
    }
}

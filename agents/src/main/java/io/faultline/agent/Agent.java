package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.driver.HostCapabilities;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.Target;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent runtime: reads the commands addressed to it, runs them through its fault drivers,
 * reports every step on telemetry and undoes every fault it applied on heal, lease expiry and
 * shutdown. A command it cannot or will not run is reported as rejected; the agent keeps running.
 *
 * <p>Commands are read with {@code assign()} from the end of the topic, without a consumer
 * group, so any number of agents costs the broker nothing.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final int REMEMBERED_COMMANDS = 10_000;

    private final AgentConfig config;
    private final Clock clock;
    private final Map<Class<?>, FaultDriver<?>> drivers = new LinkedHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService heartbeats;
    private final Map<String, ActiveFault> active = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    });
    private final Instant startedAt;
    private final String hostName;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Thread loop;

    private final HostCapabilities host;
    /** As last published; the intake checks commands against it. */
    private volatile List<String> capabilities = List.of();

    private record ActiveFault(ApplyCommand command, FaultDriver.Applied applied, Instant leaseExpiresAt) {
    }

    public Agent(AgentConfig config, Clock clock, List<FaultDriver<?>> driverList) {
        this(config, clock, driverList, HostCapabilities.none());
    }

    /** @param host what the host lets this agent do, beyond having a driver */
    public Agent(AgentConfig config, Clock clock, List<FaultDriver<?>> driverList, HostCapabilities host) {
        this.host = host;
        this.config = config;
        this.clock = clock;
        driverList.forEach(d -> drivers.put(d.faultClass(), d));
        this.consumer = new KafkaConsumer<>(consumerProperties(config));
        this.producer = new KafkaProducer<>(producerProperties(config));
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.startedAt = clock.instant();
        this.hostName = hostName();
    }

    private static Properties consumerProperties(AgentConfig c) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "faultline-agent-" + c.agentId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static Properties producerProperties(AgentConfig c) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "faultline-agent-" + c.agentId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Runs the agent on the calling thread until {@link #close()}. */
    public void run() {
        loop = Thread.currentThread();
        try {
            List<TopicPartition> partitions = awaitCommandPartitions();
            if (partitions == null) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            log.info("agent {} ready (labels {}, drivers {})", config.agentId(), config.labels(), refreshCapabilities());
            heartbeats.scheduleAtFixedRate(this::heartbeat, 0, config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
            ready.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    handle(r);
                }
                expireLeases();
            }
        } catch (WakeupException e) {
            // close() was called.
        } finally {
            heartbeats.shutdownNow();
            undoAll("agent shutdown");
            producer.flush();
            producer.close(Duration.ofSeconds(5));
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
            log.info("agent {} stopped", config.agentId());
        }
    }

    /** Waits until the commands topic exists; returns null if the agent was closed first. */
    private List<TopicPartition> awaitCommandPartitions() {
        long backoff = 200;
        while (running) {
            var infos = consumer.partitionsFor(config.topics().commands(), Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            }
            log.info("waiting for topic {} to exist", config.topics().commands());
            sleep(backoff);
            backoff = Math.min(backoff * 2, 5_000);
        }
        return null;
    }

    /** Blocks until the agent reads commands from the end of the topic and heartbeats. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void handle(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        boolean forMe = key == null || key.equals(Target.ALL) || key.equals(config.agentId());
        if (!forMe) {
            return;
        }
        Command command;
        try {
            command = Json.decode(record.value(), Command.class);
        } catch (Json.JsonCodecException e) {
            // Only an agent the record was keyed to reports it, so one bad record is one event.
            if (key != null && key.equals(config.agentId())) {
                reject(null, null, "malformed command at offset " + record.offset() + ": " + e.getMessage());
            }
            return;
        }
        if (!command.target().matches(config.agentId(), config.labels())) {
            return;
        }
        if (!seen.add(command.commandId())) {
            log.debug("dropping duplicate command {}", command.commandId());
            return;
        }
        Instant now = clock.instant();
        publish(CommandEvent.received(config.agentId(), now, command));
        if (command.expiredAt(now)) {
            reject(command.runId(), command.commandId(), "expired: notAfter " + command.notAfter() + " has passed");
            return;
        }
        if (command instanceof ApplyCommand apply) {
            apply(apply);
        } else if (command instanceof HealCommand heal) {
            undo(heal.faultCommandId(), "heal");
        }
    }

    @SuppressWarnings("unchecked")
    private void apply(ApplyCommand command) {
        FaultSpec fault = command.fault();
        FaultDriver<FaultSpec> driver = (FaultDriver<FaultSpec>) drivers.get(fault.getClass());
        if (driver == null) {
            reject(command.runId(), command.commandId(), "unsupported: this agent has no driver for " + fault.type());
            return;
        }
        List<String> have = capabilities;
        List<String> missing = fault.requires().stream().filter(c -> !have.contains(c)).toList();
        if (!missing.isEmpty()) {
            reject(command.runId(), command.commandId(), "unsupported: " + String.join(", ", missing)
                    + " (this host does not offer what " + fault.type() + " needs)");
            return;
        }
        try {
            FaultDriver.Applied applied = driver.apply(command.commandId(), fault);
            Instant now = clock.instant();
            active.put(command.commandId(), new ActiveFault(command, applied, now.plus(command.lease())));
            log.info("applied {} ({}): {}", command.commandId(), fault.type(), applied.detail());
            publish(CommandEvent.applied(config.agentId(), now, command, applied.detail()));
        } catch (FaultException | RuntimeException e) {
            log.warn("cannot apply {} ({}): {}", command.commandId(), fault.type(), e.getMessage());
            publish(CommandEvent.failed(config.agentId(), clock.instant(), command, e.getMessage()));
        }
    }

    private void undo(String faultCommandId, String why) {
        ActiveFault fault = active.remove(faultCommandId);
        if (fault == null) {
            publish(CommandEvent.undone(config.agentId(), clock.instant(), null, faultCommandId, null,
                    why + ": nothing to undo, fault not active on this agent"));
            return;
        }
        ApplyCommand c = fault.command();
        try {
            String detail = fault.applied().undo();
            log.info("undid {} ({}): {}", c.commandId(), why, detail);
            publish(CommandEvent.undone(config.agentId(), clock.instant(), c.runId(), c.commandId(),
                    c.fault().type(), why + ": " + detail));
        } catch (FaultException | RuntimeException e) {
            log.error("cannot undo {} ({}): {}", c.commandId(), why, e.getMessage());
            publish(CommandEvent.failed(config.agentId(), clock.instant(), c, "undo on " + why + " failed: " + e.getMessage()));
        }
    }

    private void expireLeases() {
        Instant now = clock.instant();
        List<String> expired = new ArrayList<>();
        synchronized (active) {
            active.forEach((id, f) -> {
                if (!now.isBefore(f.leaseExpiresAt())) {
                    expired.add(id);
                }
            });
        }
        expired.forEach(id -> undo(id, "lease expired"));
    }

    private void undoAll(String why) {
        List<String> ids;
        synchronized (active) {
            ids = new ArrayList<>(active.keySet());
        }
        Collections.reverse(ids);
        ids.forEach(id -> undo(id, why));
    }

    private void reject(String runId, String commandId, String reason) {
        log.warn("rejected command {}: {}", commandId, reason);
        publish(CommandEvent.rejected(config.agentId(), clock.instant(), runId, commandId, reason));
    }

    private void heartbeat() {
        try {
            List<String> faults;
            synchronized (active) {
                faults = new ArrayList<>(active.keySet());
            }
            publish(new AgentHeartbeat(null, config.agentId(), clock.instant(), config.labels(), hostName,
                    ProcessHandle.current().pid(), startedAt, refreshCapabilities(), faults));
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
        }
    }

    /** The fault types this agent has drivers for, then what the host lets it do now. */
    private List<String> refreshCapabilities() {
        List<String> all = new ArrayList<>(drivers.values().stream().map(FaultDriver::faultType).toList());
        all.addAll(host.current());
        capabilities = List.copyOf(all);
        return capabilities;
    }

    private void publish(TelemetryEvent event) {
        producer.send(new ProducerRecord<>(config.topics().telemetry(), event.recordKey(), Json.encode(event)),
                (md, e) -> {
                    if (e != null) {
                        log.warn("telemetry not delivered: {}", e.toString());
                    }
                });
    }

    /** Faults applied and not yet undone, by command id. */
    public Map<String, String> activeFaults() {
        Map<String, String> out = new HashMap<>();
        synchronized (active) {
            active.forEach((id, f) -> out.put(id, f.command().fault().type()));
        }
        return out;
    }

    /** Stops reading commands, undoes every fault still applied and closes the clients. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}

package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.driver.HostCapabilities;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandVerifier;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.Halt;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.Rejection;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.TelemetryEvent;
import java.io.IOException;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent runtime. Reads the commands addressed to it, lets through only those that are signed
 * by a trusted key, unexpired, new and inside its policy, runs them through its fault drivers and
 * reports every step on telemetry. Every fault it applies is journaled first and undone on heal,
 * halt, lease expiry and shutdown; leftovers of a killed predecessor are undone at start.
 *
 * <p>Commands are read with {@code assign()} from the end of the topic, without a consumer
 * group, so any number of agents costs the broker nothing. Leases are enforced on their own
 * thread, so a fault lapses on time even while Kafka is unreachable.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /**
     * Each lease is checked when it is due; this sweep is the safety net for a wall clock that
     * jumps back (a lease is wall-clock time, the timer is not).
     */
    private static final Duration LEASE_SWEEP = Duration.ofSeconds(1);
    /** How long one poll waits for commands; close() wakes it at once. */
    private static final Duration POLL = Duration.ofSeconds(1);
    /** How often to look for a halt topic that did not exist yet. */
    private static final Duration HALT_LOOKUP = Duration.ofSeconds(2);

    private final AgentConfig config;
    private final Clock clock;
    private final Map<Class<?>, FaultDriver<?>> drivers = new LinkedHashMap<>();
    private final CommandIntake intake;
    private final UndoJournal journal;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService heartbeats = daemon("agent-heartbeat");
    private final ScheduledExecutorService leases = daemon("agent-leases");
    private final Map<String, ActiveFault> active = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Rejection, LongAdder> rejections = new ConcurrentHashMap<>();
    private static final int OUTBOX = 10_000;
    private static final ProducerRecord<String, byte[]> STOP = new ProducerRecord<>("stop", null);
    private final java.util.concurrent.BlockingQueue<ProducerRecord<String, byte[]>> outbox =
            new java.util.concurrent.LinkedBlockingQueue<>(OUTBOX);
    private final Thread telemetrySender = new Thread(this::sendTelemetry, "agent-telemetry");
    private final Instant startedAt;
    private final String hostName;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Thread loop;
    private volatile Instant lastHalt;
    private volatile AgentMetrics metrics;
    /** The halt topic's partitions, found by the lookup thread when the topic appeared after start. */
    private final java.util.concurrent.atomic.AtomicReference<List<TopicPartition>> haltFound =
            new java.util.concurrent.atomic.AtomicReference<>();

    private final HostCapabilities host;
    /** As last published; the intake checks commands against it. */
    private volatile List<String> capabilities = List.of();

    private record ActiveFault(ApplyCommand command, FaultDriver.Applied applied, Instant leaseExpiresAt) {
        ActiveFault renewed(Instant until) {
            return new ActiveFault(command, applied, until);
        }
    }

    public Agent(AgentConfig config, Clock clock, List<FaultDriver<?>> driverList) throws IOException {
        this(config, clock, driverList, HostCapabilities.none());
    }

    /**
     * @param host what the host lets this agent do, beyond having a driver
     * @throws IOException if the state directory cannot be used (or another agent holds it)
     */
    public Agent(AgentConfig config, Clock clock, List<FaultDriver<?>> driverList, HostCapabilities host)
            throws IOException {
        this.host = host;
        this.config = config;
        this.clock = clock;
        driverList.forEach(d -> drivers.put(d.faultClass(), d));
        this.intake = new CommandIntake(config.agentId(), config.labels(), new CommandVerifier(config.trustedKeys()),
                config.policy(), config.redis(),
                new java.util.HashSet<>(driverList.stream().map(FaultDriver::faultType).toList()));
        this.journal = UndoJournal.open(config.stateDir());
        this.consumer = new KafkaConsumer<>(consumerProperties(config));
        this.producer = new KafkaProducer<>(producerProperties(config));
        this.startedAt = clock.instant();
        this.hostName = hostName();
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static Properties consumerProperties(AgentConfig c) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "faultline-agent-" + c.agentId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // An idle agent asks for commands every 2 s instead of every 0.5 s; a command still wakes the
        // pending fetch at once, so this costs no latency, only idle traffic. Longer waits hold up
        // the consumer's other requests (the broker answers a connection in order).
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "2000");
        // No JMX: the agent exports what matters itself (--metrics-port), and the MBeans cost memory.
        p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
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
        p.put(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Runs the agent on the calling thread until {@link #close()}. */
    public void run() {
        loop = Thread.currentThread();
        telemetrySender.setDaemon(true);
        telemetrySender.start();
        try {
            // Before Kafka: a fault left by a killed predecessor must go even while the broker is down.
            List<CommandEvent> recovered = recoverLeftovers();
            leases.scheduleWithFixedDelay(this::expireLeases, LEASE_SWEEP.toMillis(), LEASE_SWEEP.toMillis(),
                    TimeUnit.MILLISECONDS);
            List<TopicPartition> partitions = awaitCommandPartitions();
            if (partitions == null) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            try {
                assignHaltAtStart();
            } catch (org.apache.kafka.common.KafkaException e) {
                log.warn("cannot read {} yet: {}", config.topics().halt(), e.toString());
                startHaltLookup();
            }
            log.info("agent {} ready (labels {}, capabilities {}, trusted keys {}, state {})", config.agentId(),
                    config.labels(), refreshCapabilities(), new java.util.TreeSet<>(config.trustedKeys().keySet()),
                    config.stateDir());
            recovered.forEach(this::publish);
            heartbeats.scheduleAtFixedRate(this::heartbeat, 0, config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
            ready.countDown();
            while (running) {
                try {
                    pollOnce();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // The loop must outlive any one failure; leases keep running on their own thread.
                    log.warn("command loop: {}", e.toString());
                    sleep(500);
                }
            }
        } catch (WakeupException e) {
            // close() was called.
        } finally {
            heartbeats.shutdownNow();
            leases.shutdownNow();
            undoAll("agent shutdown");
            outbox.offer(STOP);
            try {
                telemetrySender.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.flush();
            producer.close(Duration.ofSeconds(5));
            // No group and no commits: nothing to wait for (an idle fetch may be pending for seconds).
            consumer.close(Duration.ZERO);
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("closing the journal: {}", e.getMessage());
            }
            if (metrics != null) {
                metrics.close();
            }
            stopped.countDown();
            log.info("agent {} stopped", config.agentId());
        }
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            try {
                if (r.topic().equals(config.topics().halt())) {
                    onHalt(r);
                } else {
                    handle(r);
                }
            } catch (RuntimeException e) {
                log.error("record at {}-{}@{} could not be handled: {}", r.topic(), r.partition(), r.offset(),
                        e.toString());
            }
        }
        List<TopicPartition> halt = haltFound.getAndSet(null);
        if (halt != null) {
            assignHalt(halt, false);
        }
    }

    /** Undoes what the journal says an earlier run applied and never undid; returns the events to report. */
    private List<CommandEvent> recoverLeftovers() {
        List<CommandEvent> events = new ArrayList<>();
        for (UndoJournal.Entry e : journal.leftovers()) {
            String type = e.fault() == null ? null : e.fault().type();
            String who = "restart: leftover of agent pid " + e.pid() + " undone: ";
            try {
                String detail = recover(e);
                journal.undone(e.commandId(), clock.instant());
                log.warn("undid leftover {} ({}) of an earlier run: {}", e.commandId(), type, detail);
                events.add(CommandEvent.undone(config.agentId(), clock.instant(), e.runId(), e.commandId(), type,
                        who + detail));
            } catch (FaultException | IOException | RuntimeException ex) {
                log.error("cannot undo leftover {} ({}): {}", e.commandId(), type, ex.getMessage());
                events.add(new CommandEvent(CommandEvent.Step.FAILED, e.runId(), config.agentId(), clock.instant(),
                        e.commandId(), type, "restart: cannot undo leftover: " + ex.getMessage()));
            }
        }
        Instant now = clock.instant();
        try {
            journal.compact(now);
        } catch (IOException ex) {
            log.warn("cannot compact the journal {}: {}", journal.file(), ex.getMessage());
        }
        intake.remember(journal.unexpiredCommandIds(now));
        return events;
    }

    @SuppressWarnings("unchecked")
    private String recover(UndoJournal.Entry e) throws FaultException {
        FaultDriver<FaultSpec> driver = e.fault() == null ? null : (FaultDriver<FaultSpec>) drivers.get(e.fault().getClass());
        if (driver == null) {
            throw new FaultException("no driver for " + (e.fault() == null ? "an unreadable fault" : e.fault().type()));
        }
        return driver.recover(e.commandId(), e.fault());
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

    /**
     * At start, adds the halt topic to the assignment and reads its latest record (to refuse
     * commands issued before it). When the topic does not exist yet, a thread looks for it.
     */
    private void assignHaltAtStart() {
        List<org.apache.kafka.common.PartitionInfo> infos = null;
        try {
            infos = consumer.listTopics(Duration.ofSeconds(5)).get(config.topics().halt());
        } catch (org.apache.kafka.common.KafkaException e) {
            log.warn("cannot look up {} yet: {}", config.topics().halt(), e.toString());
        }
        if (infos == null || infos.isEmpty()) {
            startHaltLookup();
            return;
        }
        assignHalt(infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList(), true);
    }

    /**
     * Looks for a halt topic created after start, every {@link #HALT_LOOKUP}, through an admin
     * client of its own: the consumer's connection may hold a fetch waiting for commands for
     * seconds, and the broker answers one request per connection at a time.
     */
    private void startHaltLookup() {
        Thread t = new Thread(() -> {
            Properties p = new Properties();
            p.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            p.put(org.apache.kafka.clients.admin.AdminClientConfig.CLIENT_ID_CONFIG, "faultline-agent-" + config.agentId()
                    + "-halt-lookup");
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
                while (running) {
                    try {
                        var d = admin.describeTopics(List.of(config.topics().halt())).allTopicNames()
                                .get(HALT_LOOKUP.toMillis() * 2, TimeUnit.MILLISECONDS).get(config.topics().halt());
                        haltFound.set(d.partitions().stream()
                                .map(i -> new TopicPartition(config.topics().halt(), i.partition())).toList());
                        log.info("halt topic {} appeared; reading it", config.topics().halt());
                        return;
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        log.debug("no halt topic {} yet: {}", config.topics().halt(), e.toString());
                    }
                    Thread.sleep(HALT_LOOKUP.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("halt topic lookup stopped: {}", e.toString());
            }
        }, "agent-halt-lookup");
        t.setDaemon(true);
        t.start();
    }

    /** Adds the halt partitions: at start from the latest record, later from the beginning (offset 0, no lookup). */
    private void assignHalt(List<TopicPartition> halt, boolean atStart) {
        List<TopicPartition> all = new ArrayList<>(consumer.assignment());
        all.addAll(halt);
        consumer.assign(all);
        if (atStart) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(halt);
            ends.forEach((tp, end) -> consumer.seek(tp, Math.max(0, end - 1)));
        } else {
            halt.forEach(tp -> consumer.seek(tp, 0));
        }
    }

    /** Blocks until the agent reads commands from the end of the topic and heartbeats. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onHalt(ConsumerRecord<String, byte[]> record) {
        Halt halt;
        try {
            halt = Json.decode(record.value(), Halt.class);
        } catch (Json.JsonCodecException e) {
            log.warn("unreadable halt record at offset {}: {}", record.offset(), e.getMessage());
            return;
        }
        Instant previous = lastHalt;
        if (previous != null && !halt.at().isAfter(previous)) {
            return;
        }
        lastHalt = halt.at();
        if (halt.at().isBefore(startedAt) && active.isEmpty()) {
            log.info("latest halt was at {} ({}); commands issued before it are refused", halt.at(), halt.reason());
            return;
        }
        log.warn("HALT at {} by {}: {}; undoing every fault", halt.at(), halt.issuedBy(), halt.reason());
        undoAll("halt (" + halt.reason() + ")");
    }

    void handle(ConsumerRecord<String, byte[]> record) {
        Instant now = clock.instant();
        CommandIntake.Decision decision = intake.decide(record.key(), record.value(), now, capabilities, lastHalt);
        if (decision instanceof CommandIntake.Reject r) {
            rejections.computeIfAbsent(r.why().reason(), k -> new LongAdder()).increment();
            log.warn("rejected command {} at offset {}: {}", r.commandId(), record.offset(), r.why().getMessage());
            publish(CommandEvent.rejected(config.agentId(), now, r.runId(), r.commandId(), r.faultType(), r.why()));
            return;
        }
        if (!(decision instanceof CommandIntake.Accept accept)) {
            return;
        }
        Command command = accept.command();
        if (command instanceof RenewCommand renew) {
            renew(renew, now);
            return;
        }
        publish(CommandEvent.received(config.agentId(), now, command));
        if (command instanceof ApplyCommand apply) {
            apply(apply);
        } else if (command instanceof HealCommand heal) {
            undo(heal.faultCommandId(), "heal");
        } else if (command instanceof CheckCommand check) {
            check(check);
        }
    }

    @SuppressWarnings("unchecked")
    private void check(CheckCommand check) {
        FaultDriver<FaultSpec> driver = (FaultDriver<FaultSpec>) drivers.get(check.fault().getClass());
        try {
            String preview = driver.preview(check.fault());
            publish(CommandEvent.checked(config.agentId(), clock.instant(), check, "would apply " + check.fault().type()
                    + " with lease " + Durations.format(check.lease()) + " (signature, policy and capabilities checked)"
                    + (preview == null ? "" : "; " + preview)));
        } catch (FaultException | RuntimeException e) {
            publish(CommandEvent.failed(config.agentId(), clock.instant(), check, "would fail: " + e.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    private void apply(ApplyCommand command) {
        FaultSpec fault = command.fault();
        FaultDriver<FaultSpec> driver = (FaultDriver<FaultSpec>) drivers.get(fault.getClass());
        try {
            journal.applying(command, clock.instant());
        } catch (IOException e) {
            log.error("cannot write the undo journal {}: {}", journal.file(), e.getMessage());
            publish(CommandEvent.failed(config.agentId(), clock.instant(), command,
                    "not applied: cannot write the undo journal: " + e.getMessage()));
            return;
        }
        try {
            FaultDriver.Applied applied = driver.apply(command.commandId(), fault);
            Instant now = clock.instant();
            active.put(command.commandId(), new ActiveFault(command, applied, now.plus(command.lease())));
            checkLeaseAt(now.plus(command.lease()));
            log.info("applied {} ({}): {}", command.commandId(), fault.type(), applied.detail());
            publish(CommandEvent.applied(config.agentId(), now, command, applied.detail()));
        } catch (FaultException | RuntimeException e) {
            log.warn("cannot apply {} ({}): {}", command.commandId(), fault.type(), e.getMessage());
            // Drivers take back a partial apply themselves, so nothing is left to undo.
            journalUndone(command.commandId());
            publish(CommandEvent.failed(config.agentId(), clock.instant(), command, e.getMessage()));
        }
    }

    private void renew(RenewCommand renew, Instant now) {
        boolean held;
        synchronized (active) {
            ActiveFault f = active.get(renew.faultCommandId());
            held = f != null;
            if (held) {
                active.put(renew.faultCommandId(), f.renewed(now.plus(renew.lease())));
            }
        }
        if (held) {
            checkLeaseAt(now.plus(renew.lease()));
            log.debug("renewed {} for {}", renew.faultCommandId(), renew.lease());
            return;
        }
        Rejection.Exception why = new Rejection.Exception(Rejection.NOT_ACTIVE, "fault " + renew.faultCommandId()
                + " is not held by this agent (undone already, or never applied here)");
        rejections.computeIfAbsent(why.reason(), k -> new LongAdder()).increment();
        publish(CommandEvent.rejected(config.agentId(), now, renew.runId(), renew.commandId(), null, why));
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
            journalUndone(c.commandId());
            log.info("undid {} ({}): {}", c.commandId(), why, detail);
            publish(CommandEvent.undone(config.agentId(), clock.instant(), c.runId(), c.commandId(),
                    c.fault().type(), why + ": " + detail));
        } catch (FaultException | RuntimeException e) {
            // The journal keeps the fault open, so the next start tries again.
            log.error("cannot undo {} ({}): {}", c.commandId(), why, e.getMessage());
            publish(CommandEvent.failed(config.agentId(), clock.instant(), c, "undo on " + why + " failed: " + e.getMessage()));
        }
    }

    private void journalUndone(String commandId) {
        try {
            journal.undone(commandId, clock.instant());
        } catch (IOException e) {
            log.warn("cannot record the undo of {} in {}: {} (the next start undoes it again, harmlessly)",
                    commandId, journal.file(), e.getMessage());
        }
    }

    /** Runs the lease check when a lease is due, so a lapsed fault goes within a millisecond or two. */
    private void checkLeaseAt(Instant due) {
        long nanos = Math.max(0, Duration.between(clock.instant(), due).toNanos());
        try {
            leases.schedule(this::expireLeases, nanos + 1_000_000, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: every fault is being undone anyway.
        }
    }

    private void expireLeases() {
        try {
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
        } catch (RuntimeException e) {
            log.error("lease check failed: {}", e.toString());
        }
    }

    private void undoAll(String why) {
        List<String> ids;
        synchronized (active) {
            ids = new ArrayList<>(active.keySet());
        }
        Collections.reverse(ids);
        ids.forEach(id -> undo(id, why));
    }

    private void heartbeat() {
        try {
            List<String> faults;
            synchronized (active) {
                faults = new ArrayList<>(active.keySet());
            }
            publish(new AgentHeartbeat(null, config.agentId(), clock.instant(), config.labels(), hostName,
                    ProcessHandle.current().pid(), startedAt, refreshCapabilities(), faults, rejectionCounts()));
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
        }
    }

    /** Commands refused since start, by reason. */
    public Map<String, Long> rejectionCounts() {
        Map<String, Long> out = new TreeMap<>();
        rejections.forEach((k, v) -> out.put(k.wireName(), v.sum()));
        return out;
    }

    /** The fault types this agent has drivers for, then what the host lets it do now. */
    private List<String> refreshCapabilities() {
        List<String> all = new ArrayList<>(drivers.values().stream().map(FaultDriver::faultType).toList());
        all.addAll(host.current());
        capabilities = List.copyOf(all);
        return capabilities;
    }

    /** Exports this agent's metrics on {@code port} (0: any free port); returns the port. */
    public int exportMetrics(int port) throws IOException {
        metrics = new AgentMetrics(port, () -> active.size(),
                () -> total(consumer.metrics(), "incoming-byte-total") + total(producer.metrics(), "incoming-byte-total"),
                () -> total(consumer.metrics(), "outgoing-byte-total") + total(producer.metrics(), "outgoing-byte-total"));
        return metrics.port();
    }

    /** A client-level total from Kafka's metrics (the per-node copies carry a node-id tag and are left out). */
    private static double total(Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics,
                                String name) {
        double sum = 0;
        for (var e : metrics.entrySet()) {
            if (e.getKey().name().equals(name) && !e.getKey().tags().containsKey("node-id")
                    && e.getValue().metricValue() instanceof Number n) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }

    private void publish(TelemetryEvent event) {
        AgentMetrics m = metrics;
        if (m != null && event instanceof CommandEvent ce) {
            m.step(ce.step().wireName(), ce.faultType());
            if (ce.step() == CommandEvent.Step.REJECTED && ce.detail() != null && ce.detail().contains(":")) {
                m.rejected(ce.detail().substring(0, ce.detail().indexOf(':')));
            }
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.topics().telemetry(), event.recordKey(),
                Json.encode(event));
        if (!outbox.offer(record)) {
            log.warn("telemetry outbox full ({} events): dropped {}", OUTBOX, event.getClass().getSimpleName());
        }
    }

    /**
     * Sends telemetry from its own thread: a send may wait for metadata (broker gone, or busy), and
     * nothing that undoes a fault may wait for that. Events queue meanwhile and go out in order.
     */
    private void sendTelemetry() {
        try {
            while (true) {
                ProducerRecord<String, byte[]> r = outbox.take();
                if (r == STOP) {
                    return;
                }
                try {
                    producer.send(r, (md, e) -> {
                        if (e != null) {
                            log.warn("telemetry not delivered: {}", e.toString());
                        }
                    });
                } catch (RuntimeException e) {
                    log.warn("telemetry not sent: {}", e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

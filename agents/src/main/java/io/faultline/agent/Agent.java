package io.faultline.agent;

import io.faultline.agent.driver.HostCapabilities;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandVerifier;
import io.faultline.protocol.Halt;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Rejection;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.time.Scheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: wiring between the command consumer, the intake that judges each command, the fault
 * manager that holds faults, and the telemetry outbox. The poll loop runs on the caller's thread of
 * {@link #run()}; every fault's life (apply, renew, undo, lease) runs on the scheduler's thread.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** How long one driver call (an apply, an undo, a sweep) may take before it is given up as stuck. */
    static final Duration DRIVER_DEADLINE = Duration.ofSeconds(15);
    /**
     * How long shutdown and recovery wait for the fault manager: every driver call has answered or
     * missed its deadline by then.
     */
    private static final Duration UNDO_AT_SHUTDOWN = DRIVER_DEADLINE.plusSeconds(5);
    /** How far ahead of this agent's clock a halt may be dated before it is taken as of now. */
    static final Duration HALT_CLOCK_SKEW = Duration.ofSeconds(30);

    private final AgentConfig config;
    private final Scheduler scheduler;
    private final DriverRegistry drivers;
    private final CommandIntake intake;
    private final UndoJournal journal;
    private final DriverCalls calls;
    private final FaultManager faults;
    private final DryRun dryRun;
    private final CommandConsumer commands;
    private final IdentityGuard identity;
    private final TelemetryOutbox telemetry;
    private final AgentClients clients;
    /** What is wrong with the record limits of its topics, once looked up ({@link TopicLimits}). */
    private volatile Supplier<List<String>> topicLimits = List::of;
    /** What its telemetry is signed with; null when no key could be made (then it goes out unsigned). */
    private final TelemetrySigner signer;
    private final HostCapabilities host;
    private final Map<Rejection, LongAdder> rejections = new ConcurrentHashMap<>();
    private final Instant startedAt;
    private final String hostName;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Thread loop;
    private final HaltLog halts = new HaltLog(HALT_CLOCK_SKEW);
    private volatile AgentMetrics metrics;
    /** Why this agent refused to run, or null. */
    private volatile String refusal;
    /** As last published; the intake checks commands against it. */
    private volatile List<String> capabilities = List.of();

    Agent(AgentBuilder b) throws IOException {
        this.config = b.config;
        this.host = b.host;
        this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.system("agent-state", b.clock);
        this.clients = b.clients != null ? b.clients : AgentClients.kafka(config);
        this.drivers = new DriverRegistry(b.drivers);
        this.intake = new CommandIntake(config.agentId(), config.labels(), new CommandVerifier(config.trustedKeys()),
                config.policy(), config.redis(), drivers.faultTypes());
        this.journal = UndoJournal.open(config.stateDir());
        this.signer = b.signer != null ? b.signer : TelemetryKey.own(config.stateDir(), config.agentId());
        this.telemetry = new TelemetryOutbox(config.topics().telemetry(), clients.telemetry(), signer);
        this.calls = b.calls != null ? b.calls : DriverCalls.pooled(scheduler, DRIVER_DEADLINE);
        this.faults = new FaultManager(config.agentId(), drivers, journal, scheduler, calls, this::publish);
        this.dryRun = new DryRun(config.agentId(), drivers, scheduler, calls, this::publish);
        this.commands = new CommandConsumer(config, clients, scheduler.clock());
        this.identity = new IdentityGuard(config, clients);
        this.startedAt = scheduler.clock().instant();
        this.hostName = hostName();
    }

    /** An agent with {@code config}: real clients, scheduler and no driver unless the builder is told otherwise. */
    public static AgentBuilder builder(AgentConfig config) {
        return new AgentBuilder(config);
    }

    /** Runs the agent on the calling thread until {@link #close()}. */
    public void run() {
        loop = Thread.currentThread();
        telemetry.start();
        try {
            // Before Kafka: a fault left by a killed predecessor must go even while the broker is down.
            intake.remember(scheduler.call(faults::recover, UNDO_AT_SHUTDOWN));
            // A safe-mode sweep must not meet a new fault: commands wait until recovery has answered.
            awaitIdle("recovery");
            if (!commands.subscribe(() -> running)) {
                return;
            }
            log.info("agent {}: joining group {} to hold its id", config.agentId(), identity.group());
            if (!identity.acquire()) {
                refusal = "another agent with id " + config.agentId() + " is running (it holds the consumer group "
                        + identity.group() + "); this one refuses to run: give each agent its own --id";
                log.error(refusal);
                return;
            }
            log.info("agent {} ready (labels {}, capabilities {}, trusted keys {}, telemetry key {}, state {})",
                    config.agentId(), config.labels(), refreshCapabilities(),
                    new TreeSet<>(config.trustedKeys().keySet()), signer == null ? "none" : signer.keyId(),
                    config.stateDir());
            topicLimits = TopicLimits.lookOnce(clients::admin, config.agentId(), config.topics());
            scheduler.scheduleAtFixedRate(Duration.ZERO, config.heartbeatInterval(), this::heartbeat);
            ready.countDown();
            while (running) {
                pollOnce();
            }
        } catch (WakeupException e) {
            // close() was called.
        } catch (Exception e) {
            failure = KafkaReason.of(e);
            log.error("agent {} cannot go on: {}", config.agentId(), failure);
        } finally {
            shutdown();
        }
    }

    private void pollOnce() {
        try {
            for (ConsumerRecord<String, byte[]> r : commands.poll()) {
                try {
                    if (commands.isHalt(r.topic())) {
                        onHalt(r);
                    } else {
                        handle(r);
                    }
                } catch (RuntimeException e) {
                    log.error("record at {}-{}@{} could not be handled: {}", r.topic(), r.partition(), r.offset(),
                            e.toString());
                }
            }
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            // The loop must outlive any one failure; leases keep running on the scheduler's thread.
            log.warn("command loop: {}", e.toString());
            try {
                Thread.sleep(500);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private void shutdown() {
        try {
            scheduler.call(() -> {
                faults.stop();
                faults.undoAll("agent shutdown");
                return null;
            }, UNDO_AT_SHUTDOWN);
        } catch (Exception e) {
            log.error("undo at shutdown did not start: {} (the next start undoes what is left)", e.toString());
        }
        awaitIdle("undo at shutdown");
        if (!faults.active().isEmpty()) {
            log.error("stopping with faults whose driver did not answer, which may still be in place: {}"
                    + " (the journal keeps them; the next start undoes them)", faults.active());
        }
        scheduler.close();
        calls.close();
        identity.close();
        telemetry.close();
        commands.close();
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

    /** Waits, bounded, until every driver call has answered or missed its deadline. */
    private void awaitIdle(String what) {
        try {
            scheduler.call(faults::idle, UNDO_AT_SHUTDOWN).get(UNDO_AT_SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("{} did not finish within {}: {}", what, UNDO_AT_SHUTDOWN, e.toString());
        }
    }

    /** Blocks until the agent reads commands from the end of the topic and heartbeats. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onHalt(ConsumerRecord<String, byte[]> record) {
        halts.offer(record.value(), scheduler.clock().instant(), "at offset " + record.offset()).ifPresent(taken -> {
            Instant effective = taken.effective();
            Halt halt = taken.halt();
            scheduler.execute(() -> {
                if (effective.isBefore(startedAt) && faults.isEmpty()) {
                    log.info("latest halt was at {} ({}); commands issued before it are refused", effective,
                            halt.reason());
                    return;
                }
                log.warn("HALT at {} by {}: {}; undoing every fault", halt.at(), halt.issuedBy(), halt.reason());
                faults.undoAll("halt (" + halt.reason() + ")");
            });
        });
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Instant now = scheduler.clock().instant();
        CommandIntake.Decision decision = intake.decide(record.key(), record.value(), now, capabilities, halts.latest(),
                identity.takenOver() ? identity.group() : null);
        if (decision instanceof CommandIntake.Reject r) {
            log.warn("rejected command {} at offset {}: {}", r.commandId(), record.offset(), r.why().getMessage());
            reject(now, r.runId(), r.commandId(), r.faultType(), r.why());
            return;
        }
        if (!(decision instanceof CommandIntake.Accept accept)) {
            return;
        }
        Command command = accept.command();
        if (command instanceof RenewCommand renew) {
            scheduler.execute(() -> {
                if (!faults.renew(renew)) {
                    reject(scheduler.clock().instant(), renew.runId(), renew.commandId(), null,
                            new Rejection.Exception(Rejection.NOT_ACTIVE, "fault " + renew.faultCommandId()
                                    + " is not held by this agent (undone already, or never applied here)"));
                }
            });
            return;
        }
        publish(CommandEvent.received(config.agentId(), now, command));
        if (command instanceof ApplyCommand apply) {
            scheduler.execute(() -> faults.apply(apply));
        } else if (command instanceof HealCommand heal) {
            scheduler.execute(() -> faults.undo(heal.faultCommandId(), "heal"));
        } else if (command instanceof CheckCommand check) {
            scheduler.execute(() -> dryRun.check(check));
        }
    }

    private void reject(Instant at, String runId, String commandId, String faultType, Rejection.Exception why) {
        rejections.computeIfAbsent(why.reason(), k -> new LongAdder()).increment();
        AgentMetrics m = metrics;
        if (m != null) {
            m.rejected(why.reason());
        }
        publish(CommandEvent.rejected(config.agentId(), at, runId, commandId, faultType, why));
    }

    private void heartbeat() {
        publish(new AgentHeartbeat(null, config.agentId(), scheduler.clock().instant(), config.labels(), hostName,
                ProcessHandle.current().pid(), startedAt, refreshCapabilities(), new ArrayList<>(faults.active().keySet()),
                rejectionCounts(), problems(), service()));
    }

    private volatile Supplier<Optional<Long>> servicePid;

    /**
     * Reports the service this agent sits beside in every heartbeat, so the orchestrator can tell
     * it runs again after a heal: {@code pid} gives its pid while it runs.
     */
    public void watchService(Supplier<Optional<Long>> pid) {
        this.servicePid = pid;
    }

    private AgentHeartbeat.Service service() {
        var watch = servicePid;
        if (watch == null) {
            return null;
        }
        Optional<Long> pid = watch.get();
        return new AgentHeartbeat.Service(pid.isPresent(), pid.orElse(null));
    }

    private List<String> problems() {
        List<String> out = new ArrayList<>(faults.problems());
        out.addAll(topicLimits.get());
        if (identity.takenOver()) {
            out.add("another agent with id " + config.agentId() + " holds it (consumer group " + identity.group()
                    + "): this one acts on no command but halts");
        }
        return out;
    }

    /**
     * Why this agent refused to run (another agent holds its id), once {@link #run()} returned; null
     * when it did not refuse.
     */
    public String refusal() {
        return refusal;
    }

    /** Why the agent stopped on its own (Kafka unreachable, say), in words; null when it was closed or refused. */
    public String failure() {
        return failure;
    }

    private volatile String failure;

    /** Commands refused since start, by reason. */
    public Map<String, Long> rejectionCounts() {
        Map<String, Long> out = new TreeMap<>();
        rejections.forEach((k, v) -> out.put(k.wireName(), v.sum()));
        return out;
    }

    /** The fault types this agent has drivers for, then what the host lets it do now. */
    private List<String> refreshCapabilities() {
        List<String> all = new ArrayList<>(drivers.faultTypes());
        all.addAll(host.current());
        capabilities = List.copyOf(all);
        return capabilities;
    }

    /** Exports this agent's metrics on {@code port} (0: any free port); returns the port. */
    public int exportMetrics(String host, int port) throws IOException {
        metrics = new AgentMetrics(host, port, () -> faults.active().size(),
                () -> commands.bytes("incoming-byte-total") + telemetry.bytes("incoming-byte-total"),
                () -> commands.bytes("outgoing-byte-total") + telemetry.bytes("outgoing-byte-total"));
        return metrics.port();
    }

    private void publish(TelemetryEvent event) {
        AgentMetrics m = metrics;
        if (m != null && event instanceof CommandEvent ce) {
            m.step(ce.step().wireName(), ce.faultType());
        }
        telemetry.offer(event);
    }

    /** Faults applied and not yet undone: command id to fault type. */
    public Map<String, String> activeFaults() {
        return faults.active();
    }

    /** Stops reading commands, undoes every fault still applied and closes the clients. */
    @Override
    public void close() {
        running = false;
        commands.wakeup();
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            try {
                stopped.await(UNDO_AT_SHUTDOWN.toSeconds() + 15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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

package io.faultline.engine;

import io.faultline.kafka.Clients;
import io.faultline.kafka.HeaderText;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.AlertEvent;
import io.faultline.protocol.CircuitEvent;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySignature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the telemetry topic in the background and stamps every event with the orchestrator's
 * receive time. Starts a little in the past so that agents' recent heartbeats are known at once.
 * What it believes is what its {@link TelemetryGate} admits.
 */
public final class TelemetryFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelemetryFeed.class);

    private final Consumer<String, byte[]> consumer;
    private final Clock clock;
    private final TelemetryGate gate;
    private final Thread thread;
    private final Map<String, Received<AgentHeartbeat>> heartbeats = new HashMap<>();
    private final List<Received<CommandEvent>> commandEvents = new ArrayList<>();
    /**
     * The same events by command id: a wait for one command's report looks at that command's
     * events only, not at every event of the run (a broadcast to 1,000 agents brings 2,000).
     */
    private final Map<String, List<Received<CommandEvent>>> byCommand = new HashMap<>();
    private final List<Received<CircuitEvent>> circuitEvents = new ArrayList<>();
    private final List<Received<AlertEvent>> alertEvents = new ArrayList<>();
    private volatile boolean running = true;

    /** An event and when the orchestrator received it. */
    public record Received<E extends TelemetryEvent>(E event, Instant receivedAt) {
    }

    public TelemetryFeed(String bootstrapServers, String topic, Clock clock, Duration lookback) {
        this(KafkaConnection.of(bootstrapServers), topic, clock, lookback);
    }

    /** As above, with the connection's client settings. */
    public TelemetryFeed(KafkaConnection kafka, String topic, Clock clock, Duration lookback) {
        this(Clients.consumer(kafka, "faultline-orchestrator-telemetry"), topic, clock, lookback);
    }

    /** Reads {@code topic} through {@code consumer}, which it assigns, and closes it when closed. */
    public TelemetryFeed(Consumer<String, byte[]> consumer, String topic, Clock clock, Duration lookback) {
        this(consumer, topic, clock, lookback, TelemetryGate.open());
    }

    /** As above, believing only what {@code gate} admits. */
    public TelemetryFeed(Consumer<String, byte[]> consumer, String topic, Clock clock, Duration lookback,
                         TelemetryGate gate) {
        this.clock = clock;
        this.gate = gate;
        this.consumer = consumer;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        long since = clock.millis() - lookback.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query, Duration.ofSeconds(15));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = offsets.get(tp);
            if (o != null) {
                consumer.seek(tp, o.offset());
            } else {
                consumer.seekToEnd(List.of(tp));
            }
            consumer.position(tp);
        }
        this.thread = new Thread(this::loop, "telemetry-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Instant now = clock.instant();
                    TelemetryEvent event;
                    try {
                        event = Json.decode(r.value(), TelemetryEvent.class);
                    } catch (Json.JsonCodecException e) {
                        log.warn("ignoring unreadable telemetry record at offset {}: {}", r.offset(), e.getMessage());
                        continue;
                    }
                    if (event == null || !gate.admit(event, r.partition(), HeaderText.of(r, TelemetrySignature.KEY_ID),
                            HeaderText.of(r, TelemetrySignature.SIGNATURE), r.value())) {
                        continue;
                    }
                    synchronized (this) {
                        if (event instanceof AgentHeartbeat hb) {
                            heartbeats.put(hb.agentId(), new Received<>(hb, now));
                        } else if (event instanceof CommandEvent ce) {
                            Received<CommandEvent> received = new Received<>(ce, now);
                            commandEvents.add(received);
                            byCommand.computeIfAbsent(ce.commandId(), id -> new ArrayList<>(1)).add(received);
                        } else if (event instanceof CircuitEvent ce) {
                            circuitEvents.add(new Received<>(ce, now));
                        } else if (event instanceof AlertEvent ae) {
                            alertEvents.add(new Received<>(ae, now));
                        }
                        notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Who this feed believes, and what it refused. */
    public TelemetryGate gate() {
        return gate;
    }

    /** Alert notifications forwarded by alert bridges, received since {@code since}. */
    public synchronized List<Received<AlertEvent>> alertEvents(Instant since) {
        return alertEvents.stream().filter(r -> !r.receivedAt().isBefore(since)).toList();
    }

    /** Circuit-breaker changes reported by services, received since {@code since}. */
    public synchronized List<Received<CircuitEvent>> circuitEvents(Instant since) {
        return circuitEvents.stream().filter(r -> !r.receivedAt().isBefore(since)).toList();
    }

    /** Agents whose last heartbeat arrived within {@code maxAge}. */
    public synchronized List<AgentHeartbeat> liveAgents(Duration maxAge) {
        Instant cutoff = clock.instant().minus(maxAge);
        return heartbeats.values().stream().filter(r -> r.receivedAt().isAfter(cutoff)).map(Received::event)
                .sorted(Comparator.comparing(AgentHeartbeat::agentId)).toList();
    }

    /** Waits until an agent matching {@code filter} has heartbeated within {@code maxAge}, or the timeout passes. */
    public synchronized List<AgentHeartbeat> awaitAgents(Predicate<AgentHeartbeat> filter, Duration maxAge,
                                                        Duration timeout) throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            List<AgentHeartbeat> live = liveAgents(maxAge).stream().filter(filter).toList();
            long left = waitLeft(deadline);
            if (!live.isEmpty() || left <= 0) {
                return live;
            }
            wait(left);
        }
    }

    /** Waits for the agent's report on {@code commandId} with one of {@code steps}; null on timeout. */
    public synchronized Received<CommandEvent> awaitCommandEvent(String commandId, Set<CommandEvent.Step> steps,
                                                                 Duration timeout) throws InterruptedException {
        return awaitFirst(() -> byCommand.getOrDefault(commandId, List.of()), e -> steps.contains(e.step()), timeout);
    }

    /** The reports received so far on command {@code commandId}, from every agent, in arrival order. */
    public synchronized List<Received<CommandEvent>> commandEventsOf(String commandId) {
        return List.copyOf(byCommand.getOrDefault(commandId, List.of()));
    }

    /** Waits for a command event matching {@code filter}, whatever its run; null on timeout. */
    public synchronized Received<CommandEvent> awaitCommandEvent(Predicate<CommandEvent> filter, Duration timeout)
            throws InterruptedException {
        return awaitFirst(() -> commandEvents, filter, timeout);
    }

    /** The first of {@code events} (looked at again after each arrival) that {@code filter} takes; null on timeout. */
    private Received<CommandEvent> awaitFirst(Supplier<List<Received<CommandEvent>>> events, Predicate<CommandEvent> filter,
                                              Duration timeout) throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            for (Received<CommandEvent> r : events.get()) {
                if (filter.test(r.event())) {
                    return r;
                }
            }
            long left = waitLeft(deadline);
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
    }

    /** Every command event of {@code runId} received so far. */
    public synchronized List<Received<CommandEvent>> commandEvents(String runId) {
        return commandEvents.stream().filter(r -> runId.equals(r.event().runId())).toList();
    }

    /**
     * Milliseconds to wait before looking again: what is left until {@code deadline} on the clock,
     * in slices of at most {@link #WAIT_SLICE} so that a clock moved by hand is seen; 0 once it passed.
     */
    private long waitLeft(Instant deadline) {
        long left = Duration.between(clock.instant(), deadline).toMillis();
        return left <= 0 ? 0 : Math.min(left, WAIT_SLICE.toMillis());
    }

    private static final Duration WAIT_SLICE = Duration.ofMillis(100);

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.faultline.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the commands and halt topics. Commands are read with {@code assign()} from the end of the
 * topic, without a consumer group, so any number of agents costs the broker nothing. The halt
 * topic is read from its latest record at start; one created later is found by a lookup thread.
 */
final class CommandConsumer implements AutoCloseable {
    /** The first wait for the commands topic, doubled up to 5 s. */
    private static final long INITIAL_TOPIC_BACKOFF = 200;

    private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);
    /** How long one poll waits for commands; {@link #wakeup()} ends it at once. */
    static final Duration POLL = Duration.ofSeconds(1);
    /** How often to look for a halt topic that did not exist yet. */
    private static final Duration HALT_LOOKUP = Duration.ofSeconds(2);

    private final AgentConfig config;
    private final AgentClients clients;
    /** The halt catch-up deadline's clock. */
    private final Clock clock;
    private final Consumer<String, byte[]> consumer;
    /** How long commands wait at start for the halt topic to be read to its end. */
    static final Duration HALT_CATCH_UP = Duration.ofSeconds(30);
    private List<TopicPartition> commandPartitions = List.of();
    /** The halt topic's end offsets at start, until it has been read that far; null after. */
    private Map<TopicPartition, Long> haltEnds;
    private Instant haltCatchUpDeadline;
    /** The halt topic's partitions, found by the lookup thread when the topic appeared after start. */
    private final AtomicReference<List<TopicPartition>> haltFound = new AtomicReference<>();
    private volatile boolean open = true;

    CommandConsumer(AgentConfig config, AgentClients clients, Clock clock) {
        this.config = config;
        this.clients = clients;
        this.clock = clock;
        this.consumer = clients.commands();
    }

    /**
     * Waits until the commands topic exists, then reads it from its end, and the halt topic from its
     * latest record. Returns false if {@code running} turned false first.
     */
    boolean subscribe(BooleanSupplier running) throws InterruptedException {
        long backoff = INITIAL_TOPIC_BACKOFF;
        int waits = 0;
        List<TopicPartition> partitions = null;
        while (partitions == null) {
            if (!running.getAsBoolean()) {
                return false;
            }
            List<PartitionInfo> infos = consumer.partitionsFor(config.topics().commands(), Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            } else {
                // Said at once, then once a minute: an agent waiting silently looks like a working one.
                if (waits++ % 12 == 0) {
                    log.warn("topic {} does not exist: create Faultline's topics with 'faultline init -b {}' (a run or "
                            + "a halt creates them too); waiting for it", config.topics().commands(),
                            config.bootstrapServers());
                } else {
                    log.debug("waiting for topic {} to exist", config.topics().commands());
                }
                // Waiting on the cluster, not on a timer of the agent's: real time, as the identity guard waits.
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        commandPartitions = partitions;
        try {
            assignHaltAtStart();
        } catch (KafkaException e) {
            log.warn("cannot read {} yet: {}", config.topics().halt(), e.toString());
            startHaltLookup();
        }
        return true;
    }

    /** The next records of either topic; also starts reading a halt topic the lookup found meanwhile. */
    ConsumerRecords<String, byte[]> poll() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        resumeCommandsOnceHaltsAreRead();
        List<TopicPartition> halt = haltFound.getAndSet(null);
        if (halt != null) {
            assignHalt(halt, false);
        }
        return records;
    }

    boolean isHalt(String topic) {
        return topic.equals(config.topics().halt());
    }

    /** Ends a poll in progress (from any thread). */
    void wakeup() {
        open = false;
        consumer.wakeup();
    }

    double bytes(String metric) {
        return KafkaMetrics.total(consumer.metrics(), metric);
    }

    /**
     * At start, commands wait until the halt topic has been read to the end it had: a command issued
     * before a halt must never be applied because the halt had not been read yet. Bounded: after
     * {@link #HALT_CATCH_UP} commands are read anyway (their notAfter still holds), with a warning.
     */
    private void resumeCommandsOnceHaltsAreRead() {
        if (haltEnds == null) {
            return;
        }
        boolean caughtUp = haltEnds.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        boolean late = !clock.instant().isBefore(haltCatchUpDeadline);
        if (caughtUp || late) {
            if (late && !caughtUp) {
                log.warn("halt topic {} not read to its end within {}; reading commands anyway", config.topics().halt(),
                        HALT_CATCH_UP);
            }
            consumer.resume(commandPartitions);
            haltEnds = null;
        }
    }

    private void assignHaltAtStart() {
        List<PartitionInfo> infos = null;
        try {
            infos = consumer.listTopics(Duration.ofSeconds(5)).get(config.topics().halt());
        } catch (KafkaException e) {
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
            try (Admin admin = clients.admin()) {
                while (open) {
                    try {
                        var d = admin.describeTopics(List.of(config.topics().halt())).allTopicNames()
                                .get(HALT_LOOKUP.toMillis() * 2, TimeUnit.MILLISECONDS).get(config.topics().halt());
                        haltFound.set(d.partitions().stream()
                                .map(i -> new TopicPartition(config.topics().halt(), i.partition())).toList());
                        log.info("halt topic {} appeared; reading it", config.topics().halt());
                        return;
                    } catch (ExecutionException | TimeoutException e) {
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

    /**
     * Adds the halt partitions, read from their beginning: the topic is compacted to one record per
     * key, and the agent keeps the latest valid halt among all it reads, so a record of garbage
     * written after a halt cannot make a restarted agent forget it.
     */
    private void assignHalt(List<TopicPartition> halt, boolean atStart) {
        List<TopicPartition> all = new ArrayList<>(consumer.assignment());
        all.addAll(halt);
        consumer.assign(all);
        consumer.seekToBeginning(halt);
        if (atStart) {
            haltEnds = consumer.endOffsets(halt);
            haltCatchUpDeadline = clock.instant().plus(HALT_CATCH_UP);
            consumer.pause(commandPartitions);
        }
    }

    @Override
    public void close() {
        open = false;
        // No group and no commits: nothing to wait for (an idle fetch may be pending for seconds).
        consumer.close(CloseOptions.timeout(Duration.ZERO));
    }
}

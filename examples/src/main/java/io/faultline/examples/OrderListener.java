package io.faultline.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example system under test: a consumer-group member that reads orders and writes one
 * result per order. Each order takes {@code processingTime} to process; orders are processed
 * concurrently (pipelined), as a service calling a slower backend would.
 *
 * <p>The result carries the order's key and value unchanged, plus headers naming the instance
 * that processed it and the input partition and offset, so an observer can tell a redelivery
 * from a second write, and, when it caches through Redis, whether the cache write happened.
 */
public final class OrderListener implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(OrderListener.class);

    private final ListenerConfig config;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ListenerMetrics metrics;

    /** Replaced when a transaction fails in a way the producer cannot abort (it is then unusable). */
    private KafkaProducer<byte[], byte[]> producer;
    private final Map<TopicPartition, ArrayDeque<Pending>> pending = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> completed = new HashMap<>();
    private final RedisCache cache;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private long nextCommitAt;
    private long processed;

    private record Pending(ConsumerRecord<byte[], byte[]> record, long dueAtMillis) {
    }

    public OrderListener(ListenerConfig config) {
        this(config, null);
    }

    /** @param cache where processed orders are cached, or null to run without Redis */
    public OrderListener(ListenerConfig config, RedisCache cache) {
        this(config, cache, null);
    }

    /** @param metrics where to export Prometheus metrics, or null for none */
    OrderListener(ListenerConfig config, RedisCache cache, ListenerMetrics metrics) {
        this.config = config;
        this.cache = cache;
        this.metrics = metrics;
        this.consumer = new KafkaConsumer<>(consumerProperties(config));
        this.producer = new KafkaProducer<>(producerProperties(config));
    }

    static Properties consumerProperties(ListenerConfig c) {
        Properties p = new Properties();
        p.putAll(c.clientSettings());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.group());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.instance());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (!"consumer".equalsIgnoreCase(String.valueOf(p.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            // The classic protocol. Under KIP-848's (group.protocol=consumer in the client settings) the
            // coordinator owns the session, the heartbeats and the assignment, and the client may not set them.
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(c.sessionTimeout().toMillis()));
            // Incremental rebalancing, as modern services use: a member that leaves or joins moves only
            // the partitions it had or gets, and the others keep flowing.
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    CooperativeStickyAssignor.class.getName());
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                    Long.toString(Math.max(100, c.sessionTimeout().toMillis() / 4)));
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    static Properties producerProperties(ListenerConfig c) {
        Properties p = new Properties();
        p.putAll(c.clientSettings());
        p.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG); // the consumer's alone
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, c.instance() + "-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (c.mode() == DeliveryMode.EXACTLY_ONCE) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "order-listener-" + c.instance());
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(c.transactionTimeout().toMillis()));
        }
        return p;
    }

    @Override
    public void run() {
        try {
            if (config.mode() == DeliveryMode.EXACTLY_ONCE) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(config.input()), new Rebalance());
            log.info("{} listening on {} as group {} ({}, processing {} ms)", config.instance(), config.input(),
                    config.group(), config.mode().cliName(), config.processingTime().toMillis());
            nextCommitAt = System.currentTimeMillis() + config.commitInterval().toMillis();
            while (running) {
                step();
            }
        } catch (WakeupException e) {
            // Shutdown requested.
        } finally {
            if (config.mode() == DeliveryMode.AT_LEAST_ONCE) {
                commitCompleted();
            }
            closeQuietly();
            stopped.countDown();
        }
    }

    private void step() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
        if (metrics != null) {
            metrics.observe(consumer);
        }
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            pending.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayDeque<>())
                    .add(new Pending(r, now + config.processingTime().toMillis()));
        }
        if (config.mode() == DeliveryMode.AT_MOST_ONCE && !records.isEmpty()) {
            // Commit on receipt: whatever is still being processed when we crash is lost.
            consumer.commitSync(nextOffsets(records));
        }
        List<ConsumerRecord<byte[], byte[]>> due = takeDue(now);
        if (!due.isEmpty()) {
            emit(due);
        }
        if (config.mode() == DeliveryMode.AT_LEAST_ONCE && now >= nextCommitAt) {
            commitCompleted();
            nextCommitAt = now + config.commitInterval().toMillis();
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> takeDue(long now) {
        List<ConsumerRecord<byte[], byte[]>> due = new ArrayList<>();
        for (ArrayDeque<Pending> queue : pending.values()) {
            while (!queue.isEmpty() && queue.peekFirst().dueAtMillis() <= now) {
                due.add(queue.pollFirst().record());
            }
        }
        return due;
    }

    private void emit(List<ConsumerRecord<byte[], byte[]>> due) {
        Map<TopicPartition, OffsetAndMetadata> offsets = nextOffsets(due);
        byte[] cached = cache == null ? null : cache.cache(due).header();
        switch (config.mode()) {
            case EXACTLY_ONCE -> {
                try {
                    producer.beginTransaction();
                    due.forEach(r -> producer.send(result(r, cached)));
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                } catch (KafkaException e) {
                    log.warn("transaction failed, re-reading from the last committed offsets: {}", e.toString());
                    abortOrReplaceProducer();
                    rewindToCommitted();
                    return;
                }
            }
            case AT_LEAST_ONCE -> {
                due.forEach(r -> producer.send(result(r, cached)));
                producer.flush();
                completed.putAll(offsets);
            }
            case AT_MOST_ONCE -> due.forEach(r -> producer.send(result(r, cached)));
        }
        processed += due.size();
        if (metrics != null) {
            metrics.processed(due.size());
        }
        if (processed % 500 < due.size()) {
            log.info("{} processed {} orders", config.instance(), processed);
        }
    }

    /**
     * Aborts the failed transaction; if the producer is in a fatal state (fenced, invalid
     * transaction state after a long partition), closes it and starts a fresh one with the same
     * transactional id, which fences any zombie and aborts what was left open.
     */
    private void abortOrReplaceProducer() {
        try {
            producer.abortTransaction();
        } catch (KafkaException fatal) {
            log.warn("producer unusable ({}); starting a new one", fatal.toString());
            producer.close(Duration.ZERO);
            producer = new KafkaProducer<>(producerProperties(config));
            producer.initTransactions();
        }
    }

    private ProducerRecord<byte[], byte[]> result(ConsumerRecord<byte[], byte[]> in, byte[] cached) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(config.output(), in.key(), in.value());
        out.headers().add("processed-by", config.instance().getBytes(StandardCharsets.UTF_8));
        out.headers().add("input-partition", Integer.toString(in.partition()).getBytes(StandardCharsets.UTF_8));
        out.headers().add("input-offset", Long.toString(in.offset()).getBytes(StandardCharsets.UTF_8));
        if (cached != null) {
            out.headers().add("redis", cached);
        }
        return out;
    }

    private void commitCompleted() {
        if (!completed.isEmpty()) {
            try {
                consumer.commitSync(new HashMap<>(completed));
                completed.clear();
            } catch (KafkaException e) {
                log.warn("offset commit failed: {}", e.toString());
            }
        }
    }

    private void rewindToCommitted() {
        pending.clear();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
        for (TopicPartition tp : consumer.assignment()) {
            OffsetAndMetadata c = committed.get(tp);
            if (c != null) {
                consumer.seek(tp, c.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    /** Stops the loop and leaves the group; returns once the clients are closed. */
    public void stop() throws InterruptedException {
        running = false;
        consumer.wakeup();
        stopped.await();
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            log.debug("consumer close", e);
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("producer close", e);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (config.mode() == DeliveryMode.AT_LEAST_ONCE) {
                commitCompleted();
            }
            forget(partitions);
            log.info("{} revoked {}", config.instance(), partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            completed.keySet().removeAll(partitions);
            log.info("{} lost {}", config.instance(), partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("{} assigned {}", config.instance(), partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (Iterator<TopicPartition> it = pending.keySet().iterator(); it.hasNext(); ) {
                if (partitions.contains(it.next())) {
                    it.remove();
                }
            }
        }
    }

    /** Writes this process's pid to {@code file} so an agent can find it. */
    static void writePidFile(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}

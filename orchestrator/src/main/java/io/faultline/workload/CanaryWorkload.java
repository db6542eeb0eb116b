package io.faultline.workload;

import io.faultline.kafka.HeaderText;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.ProducerRetries;
import io.faultline.scenario.CanarySpec;
import io.faultline.time.Scheduler;
import io.faultline.verifier.CanaryLog;
import io.faultline.verifier.FaultWindow;
import io.faultline.verifier.History;
import io.faultline.verifier.Observation;
import io.faultline.verifier.SentEvent;
import io.faultline.verifier.Stretch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Canary traffic through the system under test: sequenced events produced at a steady rate into
 * the input topic, and an observer on the output topic (read_committed) that records every
 * arrival. Send, acknowledgement and receive times all come from the one orchestrator clock.
 */
public final class CanaryWorkload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CanaryWorkload.class);
    /** Canaries are folded in spans of about this much sending. */
    public static final Duration FOLD_WIDTH = Duration.ofSeconds(1);
    /** How often the drain asks whether every acknowledged canary came out. */
    static final Duration DRAIN_POLL = Duration.ofMillis(100);
    /** How often preflight asks whether the first canary came out. */
    static final Duration FIRST_COMPLETION_POLL = Duration.ofMillis(20);

    private final String runId;
    private final CanarySpec spec;
    private final Clock clock;
    private final Producer<String, byte[]> producer;
    private final Consumer<String, byte[]> consumer;
    /** Paces the sends: one tick every canary interval, on a thread of its own. */
    private final Scheduler sender;
    /** Monotonic nanoseconds the pacing counts by. */
    private final LongSupplier ticker;
    private Scheduler.Cancellable ticking;
    private final Thread observer;
    /** Every canary sent and every arrival, in compact columns; null for {@link #none}. */
    private final CanaryLog events;
    private final AtomicLong nextSeq = new AtomicLong();
    private final Pacer pacer;
    private long reportedMissed;
    private long lastBehindReport;
    private volatile boolean observing = true;
    private volatile Instant sendingStoppedAt;
    private volatile Instant lastCompletion;
    private final CanaryAdapter adapter;
    private final KafkaConnection kafka;
    /** Records read from the output topic, canaries of this run or not. */
    private final AtomicLong outputRecords = new AtomicLong();
    private final SendErrors sendErrors = new SendErrors();
    /** What the producer had retried when this canary was made: its own retries are what came after. */
    private final Map<String, Long> retriedBefore = ProducerRetries.of(CanaryClients.PRODUCER_CLIENT_ID);
    private final Map<Integer, OffsetRanges> acked = new ConcurrentHashMap<>();
    /** The first output record that carried no canary id of this run, for the preflight's diagnosis. */
    private volatile String example;
    /** Partitions of the input topic: each key is sent to one of them, round robin, so every partition carries canaries. */
    private final int inputPartitions;

    public CanaryWorkload(String bootstrapServers, String runId, CanarySpec spec, Clock clock) {
        this(KafkaConnection.of(bootstrapServers), runId, spec, clock);
    }

    /** As above, with the connection's client settings: real clients, a pacing thread on {@code System.nanoTime}. */
    public CanaryWorkload(KafkaConnection kafka, String runId, CanarySpec spec, Clock clock) {
        this(runId, spec, clock, CanaryClients.producer(kafka, spec.deliveryTimeout()),
                CanaryClients.observer(kafka), Scheduler.system("canary-producer", clock),
                System::nanoTime, kafka);
    }

    /**
     * Built from parts handed in, so that a test drives it without a broker: the producer of the
     * input topic and the observer's consumer of the output topic (both closed with it), the
     * scheduler that paces the sends (closed with it) and the monotonic nanoseconds it paces by,
     * and where the logs are read back from after the drain (null: they are not). Its waits (the
     * first completion, the drain) pass on the pacing scheduler's clock and sleep.
     */
    public CanaryWorkload(String runId, CanarySpec spec, Clock clock, Producer<String, byte[]> producer,
                          Consumer<String, byte[]> consumer, Scheduler sender, LongSupplier ticker,
                          KafkaConnection kafka) {
        this.runId = runId;
        this.spec = spec;
        this.clock = clock;
        this.kafka = kafka;
        this.adapter = new CanaryAdapter(runId, spec.input(), spec.output());
        this.events = new CanaryLog(adapter.idPrefix(), spec.keys());
        this.pacer = new Pacer(spec.rate());
        this.producer = producer;
        this.consumer = consumer;
        this.sender = sender;
        this.ticker = ticker;
        this.lastBehindReport = ticker.getAsLong() - TimeUnit.SECONDS.toNanos(10);
        List<TopicPartition> out = consumer.partitionsFor(spec.outputTopic(), Duration.ofSeconds(15)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        if (out.isEmpty()) {
            producer.close(Duration.ZERO);
            consumer.close();
            sender.close();
            throw new IllegalStateException("the canary's output topic " + spec.outputTopic() + " does not exist");
        }
        this.inputPartitions = Math.max(1, consumer.partitionsFor(spec.inputTopic(), Duration.ofSeconds(15)).size());
        if (spec.keys() < inputPartitions) {
            log.warn("{} has {} partitions but the canary cycles through {} keys: partitions {}-{} get no canary "
                    + "(set workload.canary.keys to at least {})", spec.inputTopic(), inputPartitions, spec.keys(),
                    spec.keys(), inputPartitions - 1, inputPartitions);
        }
        consumer.assign(out);
        consumer.seekToEnd(out);
        out.forEach(consumer::position);
        this.observer = new Thread(this::observe, "canary-observer");
        observer.setDaemon(true);
    }

    /** No canary: a game-day judged by probes and faults alone. Sends nothing, observes nothing. */
    private CanaryWorkload(String runId, Clock clock) {
        this.runId = runId;
        this.spec = null;
        this.clock = clock;
        this.kafka = null;
        this.adapter = null;
        this.events = null;
        this.pacer = null;
        this.producer = null;
        this.consumer = null;
        this.inputPartitions = 0;
        this.sender = null;
        this.ticker = null;
        this.observer = null;
    }

    /** The workload of a scenario without a canary: every count stays zero. */
    public static CanaryWorkload none(String runId, Clock clock) {
        return new CanaryWorkload(runId, clock);
    }

    /** False for {@link #none}: nothing is sent, so nothing can be judged from canaries. */
    public boolean active() {
        return spec != null;
    }

    /** Starts observing, then producing at the scenario's rate. */
    public void start() {
        if (!active()) {
            return;
        }
        observer.start();
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(1), spec.interval().toNanos());
        ticking = sender.scheduleAtFixedRate(Duration.ZERO, Duration.ofNanos(tick), this::tick);
    }

    /** Sends what the target rate owes now; says so, at most every 10 s, when the producer falls behind. */
    private void tick() {
        long due = pacer.due(ticker.getAsLong());
        for (long i = 0; i < due; i++) {
            sendOne();
        }
        pacer.sent(due);
        long missed = pacer.missed();
        if (missed > reportedMissed && ticker.getAsLong() - lastBehindReport > TimeUnit.SECONDS.toNanos(10)) {
            lastBehindReport = ticker.getAsLong();
            log.warn("the canary producer is behind its target of {}/s: {} canaries not sent on time so far (the "
                    + "producer or the broker cannot take this rate)", spec.rate(), missed);
            reportedMissed = missed;
        }
    }

    /** Canaries the target rate asked for that the producer could not send in time. */
    public long missed() {
        return active() ? pacer.missed() : 0;
    }

    /**
     * The input partition of canary {@code seq}: its key's number modulo the partitions, so each
     * key stays on one partition (its order can be judged) and the keys are spread evenly over all
     * of them (a fault that stops one partition shows), whatever the keys hash to. With one
     * partition, null: the producer's partitioner decides, as for any record.
     */
    Integer partitionOf(long seq) {
        return inputPartitions == 1 ? null : (int) (seq % spec.keys() % inputPartitions);
    }

    /** Canary sends that failed for good, by Kafka error name ({@link SendErrors}). */
    public Map<String, Long> sendErrors() {
        return sendErrors.snapshot();
    }

    /** Produce requests of the canary retried since it was made, by the error the client retried ({@link ProducerRetries}). */
    public Map<String, Long> sendRetries() {
        return ProducerRetries.since(retriedBefore, ProducerRetries.of(CanaryClients.PRODUCER_CLIENT_ID));
    }

    private void sendOne() {
        long seq = nextSeq.getAndIncrement();
        String id = events.id(seq);
        String key = events.key(seq);
        Instant sentAt = clock.instant();
        CanaryAdapter.Rendered record = adapter.render(seq, key, sentAt);
        events.sent(seq, sentAt);
        try {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(spec.inputTopic(), partitionOf(seq),
                    record.key(), record.value());
            record.headers().forEach((name, value) -> r.headers().add(name, value));
            producer.send(r, (md, e) -> {
                if (e == null) {
                    events.acknowledged(seq, clock.instant(), md.partition(), md.hasOffset() ? md.offset() : null);
                    if (md.hasOffset()) { // every acknowledged offset, folded canaries' too, for the read-back
                        acked.computeIfAbsent(md.partition(), k -> new OffsetRanges()).add(md.offset());
                    }
                } else {
                    sendErrors.add(e);
                    log.debug("canary {} not acknowledged: {}", id, e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.debug("canary {} not sent: {}", id, e.toString());
        }
    }

    private void observe() {
        HeaderText.Recent processedBy = new HeaderText.Recent("processed-by");
        try {
            while (observing) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    Instant now = clock.instant();
                    outputRecords.incrementAndGet();
                    long seq = adapter.seqOf(r.key(), r.value(), r.headers());
                    if (seq == CanaryCodec.NOT_OURS) {
                        if (example == null) {
                            example = OutputRecords.describe(r);
                        }
                        continue;
                    }
                    // The id as a string only for the rare result whose id is not one the run spelled.
                    String odd = seq == CanaryCodec.ODD ? adapter.idOf(r.key(), r.value(), r.headers()) : null;
                    long inputOffset = HeaderText.number(r, "input-offset", CanaryLog.NO_INPUT_OFFSET);
                    events.observed(seq, odd, now, r.partition(), r.offset(), processedBy.of(r), inputOffset);
                    lastCompletion = now;
                }
            }
        } catch (WakeupException e) {
            // Closing.
        }
    }

    /** Records read from the output topic so far, canaries of this run or not. */
    public long outputRecords() {
        return outputRecords.get();
    }

    /** The first output record that carried no canary id of this run, described; null if none. */
    public String example() {
        return example;
    }

    /** Where the id is looked for in output records, in words. */
    public String extractor() {
        return adapter.describe();
    }

    /** Stops producing; observation goes on until {@link #close()}. */
    public void stopProducing() {
        if (!active()) {
            sendingStoppedAt = clock.instant();
            return;
        }
        if (ticking != null) {
            ticking.cancel();
        }
        try {
            // Queued behind a tick under way, if any: once it has run, nothing more is sent.
            sender.call(() -> null, Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("canary sender did not settle: {}", e.toString());
        }
        producer.flush();
        sendingStoppedAt = clock.instant();
    }

    /** Waits until every acknowledged canary was observed, or {@code timeout} passes. Returns true when all arrived. */
    public boolean drain(Duration timeout) throws InterruptedException {
        return !active() || sender.pollUntil(timeout, DRAIN_POLL, () -> unobserved() == 0);
    }

    private long unobserved() {
        return events == null ? 0 : events.unobserved();
    }

    public long sentCount() {
        return events == null ? 0 : events.sentCount();
    }

    public long observedCount() {
        return events == null ? 0 : events.observedCount();
    }

    /** Waits up to {@code timeout} for the first canary to complete end to end; false if none did. */
    public boolean awaitFirstCompletion(Duration timeout) throws InterruptedException {
        return active() && sender.pollUntil(timeout, FIRST_COMPLETION_POLL, () -> lastCompletion != null);
    }

    /** The time of the newest observation, or null before the first. */
    public Instant lastCompletion() {
        return lastCompletion;
    }

    /**
     * Folds the uneventful spans among the canaries sent and seen before {@code cutoff}, given
     * the faults so far ({@link io.faultline.verifier.Fold}): what the run keeps then grows with
     * its faults and anomalies, not its length.
     *
     * @return how many canaries were folded
     */
    public long fold(List<FaultWindow> faults, Instant cutoff) {
        if (events == null) {
            return 0;
        }
        long n = events.fold(faults, cutoff, FOLD_WIDTH, spec.interval());
        if (n > 0) {
            log.debug("folded {} canaries sent before {}; {} kept whole", n, cutoff, events.kept());
        }
        return n;
    }

    /** Canaries folded into stretches so far. */
    public long foldedCount() {
        return events == null ? 0 : events.sentCount() - events.kept();
    }

    /** The stretches folded so far, in sequence order. */
    public List<Stretch> folded() {
        return events == null ? List.of() : events.folded();
    }

    /** The canary's logs read back ({@link LogReadBack}): is everything still where Kafka said? Null without a canary. */
    public History.ReadBack readBack() {
        return active() && kafka != null ? LogReadBack.check(kafka, runId, spec.inputTopic(), spec.outputTopic(), adapter, sent(),
                observations(), Map.copyOf(acked)) : null;
    }

    /** The canaries sent so far and not folded, in sequence order: a view of the compact log, not a copy. */
    public List<SentEvent> sent() {
        return events == null ? List.of() : events.sent();
    }

    /** The arrivals so far (but those of folded canaries), in the order they came: a view of the compact log. */
    public List<Observation> observations() {
        return events == null ? List.of() : events.observations();
    }

    public Instant sendingStoppedAt() {
        return sendingStoppedAt;
    }

    @Override
    public void close() {
        if (!active()) {
            return;
        }
        sender.close();
        observing = false;
        consumer.wakeup();
        try {
            observer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        producer.close(Duration.ofSeconds(5));
    }
}

package io.faultline.engine;

import io.faultline.protocol.Json;
import io.faultline.protocol.RunRecord;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.verifier.History;
import io.faultline.verifier.Verifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a run's verdict was computed from: the scenario's checks and the history on the
 * orchestrator's clock. Published to telemetry as {@link RunRecord} parts before the verdict, so
 * the log alone is enough to verify a run again ({@code faultline replay}).
 */
public record RunAudit(String scenario, ChecksSpec checks, List<ProbeSpec> probes, History history) {
    /** Part size in characters: well under Kafka's default 1 MB record limit. */
    static final int PART = 256 * 1024;

    public RunAudit {
        probes = probes == null ? List.of() : List.copyOf(probes);
    }

    public Verifier.Result verify() {
        return Verifier.verify(history, checks, probes);
    }

    /** Publishes the audit as parts keyed by the run id (so they stay in order). */
    void publish(KafkaProducer<String, byte[]> producer, String topic, Clock clock) throws InfrastructureException {
        String text = new String(Json.encode(this), StandardCharsets.UTF_8);
        int parts = Math.max(1, (text.length() + PART - 1) / PART);
        try {
            for (int i = 0; i < parts; i++) {
                String body = text.substring(i * PART, Math.min(text.length(), (i + 1) * PART));
                RunRecord r = new RunRecord(history.runId(), "orchestrator", clock.instant(), i, parts, body);
                producer.send(new ProducerRecord<>(topic, r.recordKey(), Json.encode(r))).get(15, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new InfrastructureException("cannot publish the audit record of " + history.runId() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while publishing the audit record");
        }
    }

    /** Reads the run's audit from the telemetry topic, from its beginning; null if it is not there. */
    public static RunAudit read(String bootstrapServers, String topic, String runId, Duration timeout) {
        return read(io.faultline.protocol.KafkaConnection.of(bootstrapServers), topic, runId, timeout);
    }

    /** As {@link #read(String, String, String, Duration)}, with the connection's client settings. */
    public static RunAudit read(io.faultline.protocol.KafkaConnection kafka, String topic, String runId,
                                Duration timeout) {
        Properties p = kafka.client("faultline-replay");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, timeout).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions, timeout);
            TreeMap<Integer, String> parts = new TreeMap<>();
            int expected = -1;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !(expected > 0 && parts.size() == expected)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!runId.equals(r.key())) {
                        continue;
                    }
                    try {
                        if (Json.decode(r.value(), TelemetryEvent.class) instanceof RunRecord rr) {
                            parts.put(rr.part(), rr.body());
                            expected = rr.parts();
                        }
                    } catch (Json.JsonCodecException e) {
                        // Not ours to judge here.
                    }
                }
                if (partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))
                        && !(expected > 0 && parts.size() < expected)) {
                    break;
                }
            }
            if (expected < 0 || parts.size() != expected) {
                return null;
            }
            return Json.decode(String.join("", parts.values()), RunAudit.class);
        }
    }
}

package io.faultline.probe;

import io.faultline.scenario.StopCondition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** A consumer group's lag on a topic: end offsets minus committed offsets, summed over its partitions. */
public final class KafkaLagProbe implements Probe {
    private final Admin admin;
    private final StopCondition.KafkaLagProbeSpec spec;

    public KafkaLagProbe(Admin admin, StopCondition.KafkaLagProbeSpec spec) {
        this.admin = admin;
        this.spec = spec;
    }

    @Override
    public String describe() {
        return "lag of group " + spec.group() + " on " + spec.topic() + " at most " + spec.max();
    }

    @Override
    public Sample sample() {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(spec.topic())).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get(spec.topic()).partitions().stream()
                    .map(p -> new TopicPartition(spec.topic(), p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(spec.group())
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
            }
            String seen = "group " + spec.group() + " is " + lag + " records behind on " + spec.topic();
            return lag <= spec.max() ? Sample.ok(seen) : Sample.failed(seen + " (limit " + spec.max() + ")");
        } catch (ExecutionException | TimeoutException e) {
            return Sample.failed("cannot read the lag of group " + spec.group() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Sample.failed("interrupted");
        }
    }
}

package io.faultline.agent.kafka;

import io.faultline.agent.driver.FaultException;
import io.faultline.agent.journal.PriorStore;
import io.faultline.protocol.KafkaMinIsrFault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Executes {@code kafka.min-isr}: sets the topic's {@code min.insync.replicas} override with an
 * incremental config change, as {@code kafka-configs --alter --add-config} does; undo sets the
 * override that was there before, or deletes it when the topic had none. A value above the
 * replication factor is refused: brokers cap it there ({@code Partition.effectiveMinIsr}), so it
 * would change nothing.
 */
public final class MinIsrDriver extends AdminFaultDriver<KafkaMinIsrFault, MinIsrDriver.Before> {
    /**
     * The topic's override before the fault.
     *
     * @param override the topic's own value; null when it took the broker's
     * @param effective the value in force, for the report
     */
    public record Before(String topic, String override, String effective) {
    }

    public MinIsrDriver(Admin admin, Path stateDir) {
        super(admin, new PriorStore<>(stateDir.resolve("kafka-undo").resolve("min-isr"), Before.class));
    }

    @Override
    public Class<KafkaMinIsrFault> faultClass() {
        return KafkaMinIsrFault.class;
    }

    @Override
    public String faultType() {
        return KafkaMinIsrFault.TYPE;
    }

    @Override
    Before read(KafkaMinIsrFault fault, AdminCalls calls) throws FaultException {
        TopicDescription d = calls.get(admin.describeTopics(List.of(fault.topic())).allTopicNames(),
                "describing topic " + fault.topic(), "Describe on TOPIC " + fault.topic()).get(fault.topic());
        int rf = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
        if (fault.minInsyncReplicas() > rf) {
            // Kafka's brokers cap the value at the replica count: a higher one changes nothing.
            throw new FaultException("min.insync.replicas " + fault.minInsyncReplicas() + " on topic " + fault.topic()
                    + " would change nothing: brokers cap it at the replication factor, " + rf + " (give " + rf
                    + " to make acks=all writes fail as soon as one replica falls out of sync)");
        }
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, fault.topic());
        Config config = calls.get(admin.describeConfigs(List.of(topic)).values().get(topic),
                "reading the config of topic " + fault.topic(), "DescribeConfigs on TOPIC " + fault.topic());
        ConfigEntry e = config.get(KafkaMinIsrFault.CONFIG);
        if (e == null) {
            return new Before(fault.topic(), null, null);
        }
        boolean own = e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
        return new Before(fault.topic(), own ? e.value() : null, e.value());
    }

    @Override
    String change(KafkaMinIsrFault fault, Before prior, AdminCalls calls) throws FaultException {
        set(fault.topic(), Integer.toString(fault.minInsyncReplicas()), calls);
        return "topic " + fault.topic() + ": " + KafkaMinIsrFault.CONFIG + " " + shown(prior) + " -> "
                + fault.minInsyncReplicas();
    }

    @Override
    String restore(Before prior, AdminCalls calls) throws FaultException {
        set(prior.topic(), prior.override(), calls);
        return "topic " + prior.topic() + ": " + KafkaMinIsrFault.CONFIG + " back to " + shown(prior);
    }

    @Override
    String describe(KafkaMinIsrFault fault, Before prior) {
        return "would set " + KafkaMinIsrFault.CONFIG + " of topic " + fault.topic() + " from " + shown(prior) + " to "
                + fault.minInsyncReplicas();
    }

    private static String shown(Before b) {
        return b.override() != null ? b.override()
                : (b.effective() == null ? "the broker's default" : b.effective() + " (the broker's default)");
    }

    /** Sets the topic's override to {@code value}, or deletes it for null. */
    private void set(String topic, String value, AdminCalls calls) throws FaultException {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        AlterConfigOp op = value == null
                ? new AlterConfigOp(new ConfigEntry(KafkaMinIsrFault.CONFIG, ""), AlterConfigOp.OpType.DELETE)
                : new AlterConfigOp(new ConfigEntry(KafkaMinIsrFault.CONFIG, value), AlterConfigOp.OpType.SET);
        calls.get(admin.incrementalAlterConfigs(Map.of(r, List.of(op))).all(),
                (value == null ? "removing" : "setting") + " " + KafkaMinIsrFault.CONFIG + " of topic " + topic,
                "AlterConfigs on TOPIC " + topic);
        // The controller has it; wait until the brokers answer with it too, so "applied" means in force.
        calls.await(() -> Objects.equals(overrideNow(topic), value), "the new " + KafkaMinIsrFault.CONFIG + " of topic "
                + topic);
    }

    /** The topic's own override as a broker answers now; "?" when none answers (the caller polls again). */
    private String overrideNow(String topic) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry e = admin.describeConfigs(List.of(r)).values().get(r).get().get(KafkaMinIsrFault.CONFIG);
            return e == null || e.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG ? null : e.value();
        } catch (ExecutionException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}

package io.faultline.protocol;

/**
 * Raises a topic's {@code min.insync.replicas}, as {@code kafka-configs --alter --entity-type topics}
 * would, so that writes with {@code acks=all} fail with NOT_ENOUGH_REPLICAS once fewer replicas are
 * in sync. Undo gives the topic the override it had before, or removes the override when there was none.
 *
 * @param topic             the topic
 * @param minInsyncReplicas the value to set, at most the replication factor (brokers cap it there): at
 *                          the replication factor, acks=all writes fail as soon as one replica is out of sync
 */
public record KafkaMinIsrFault(String topic, int minInsyncReplicas) implements FaultSpec {
    public static final String TYPE = "kafka.min-isr";
    public static final String CONFIG = "min.insync.replicas";

    public KafkaMinIsrFault {
        Checks.topic("topic", topic);
        if (minInsyncReplicas < 1 || minInsyncReplicas > 1000) {
            throw new InvalidFieldException("minInsyncReplicas", "must be from 1 to 1000, got " + minInsyncReplicas);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}

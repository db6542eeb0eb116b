package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.util.Map;

/**
 * Which agents a fault goes to: those carrying {@code labels}, narrowed by {@code pick}. The
 * group picks ({@code partition-owner}, {@code partition-owners}, {@code not-owner},
 * {@code members}) choose members of consumer group {@code group} by what they own of
 * {@code topic}, and then the agents beside them: an agent is beside a member when its
 * {@code client-id} label equals the member's client.id, or is its prefix followed by {@code -}
 * (Kafka Streams names its consumers {@code <client.id>-StreamThread-N-consumer}); an agent
 * without that label is beside the members whose host is its {@code host} label, when it is the
 * only member there.
 *
 * @param count how many to pick at random: for {@code any} and {@code not-owner} (default 1),
 *              {@code all}, {@code partition-owners} and {@code members} (default every one)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetSpec(Map<String, String> labels, Pick pick, String group, String topic, Integer count,
                         Integer partition, Integer broker) {
    /** The label that ties an agent to the consumer it sits beside. */
    public static final String CLIENT_ID_LABEL = "client-id";
    /** The label that ties an agent without a client-id label to the members on its host (IP address or name). */
    public static final String HOST_LABEL = "host";
    /** The label that ties an agent to the Kafka node it sits beside: the node's {@code node.id}. */
    public static final String NODE_ID_LABEL = "node-id";

    /** How many of the matching agents get the fault. */
    public enum Pick {
        @JsonProperty("all") ALL,
        @JsonProperty("any") ANY,
        /** The group member owning the most partitions of the topic. */
        @JsonProperty("partition-owner") PARTITION_OWNER,
        /** Every group member owning a partition of the topic. */
        @JsonProperty("partition-owners") PARTITION_OWNERS,
        /** One group member, at random, owning no partition of the topic: a standby. */
        @JsonProperty("not-owner") NOT_OWNER,
        /** Every member of the group. */
        @JsonProperty("members") MEMBERS,
        /** The broker leading a partition of the topic, or the most partitions of it. */
        @JsonProperty("partition-leader") PARTITION_LEADER,
        /** The active controller: the KRaft quorum's leader. */
        @JsonProperty("controller") CONTROLLER,
        /** The broker with node id {@code broker}. */
        @JsonProperty("broker") BROKER;

        /** True when the pick needs the consumer group's members. */
        public boolean byGroup() {
            return this == PARTITION_OWNER || this == PARTITION_OWNERS || this == NOT_OWNER || this == MEMBERS;
        }

        /** True when the pick is a Kafka node, found from the cluster's own metadata. */
        public boolean byBroker() {
            return this == PARTITION_LEADER || this == CONTROLLER || this == BROKER;
        }

        /** Resolved from what Kafka says (a group or the cluster), not from labels alone. */
        public boolean byKafka() {
            return byGroup() || byBroker();
        }
    }

    public TargetSpec {
        labels = Checks.copy(labels);
        if (labels.isEmpty()) {
            throw new InvalidFieldException("labels", "must name at least one label");
        }
        pick = pick == null ? Pick.ALL : pick;
        if (pick.byGroup()) {
            Checks.required("group", group);
            Checks.required("topic", topic);
        }
        if (count != null && count < 1) {
            throw new InvalidFieldException("count", "must be at least 1");
        }
        if (pick == Pick.PARTITION_LEADER) {
            Checks.required("topic", topic);
        }
        if (pick == Pick.BROKER) {
            Checks.required("broker", broker);
        }
        if (partition != null && pick != Pick.PARTITION_LEADER) {
            throw new InvalidFieldException("partition", "only partition-leader picks by partition");
        }
        if (partition != null && partition < 0) {
            throw new InvalidFieldException("partition", "a partition number is never negative, got " + partition);
        }
        if (broker != null && pick != Pick.BROKER) {
            throw new InvalidFieldException("broker", "only pick: broker names a node id");
        }
        if (count != null && pick.byBroker()) {
            throw new InvalidFieldException("count", "a broker pick is one node, and the agent beside it");
        }
        if (count != null && pick == Pick.PARTITION_OWNER) {
            throw new InvalidFieldException("count", "partition-owner picks the one member owning the most partitions; "
                    + "use partition-owners with count to pick several owners");
        }
    }

    public TargetSpec(Map<String, String> labels, Pick pick, String group, String topic) {
        this(labels, pick, group, topic, null, null, null);
    }

    public TargetSpec(Map<String, String> labels, Pick pick, String group, String topic, Integer count) {
        this(labels, pick, group, topic, count, null, null);
    }

    /** How many the pick takes at random from its candidates; null for all of them. */
    public Integer picks() {
        return count != null ? count : pick == Pick.ANY || pick == Pick.NOT_OWNER ? Integer.valueOf(1) : null;
    }
}

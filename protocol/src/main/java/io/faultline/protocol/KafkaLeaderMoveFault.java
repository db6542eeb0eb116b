package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.TreeSet;

/**
 * Moves the leadership of a topic's partitions to another replica, as {@code kafka-reassign-partitions}
 * and {@code kafka-leader-election} would: the chosen replica goes first in the replica list and a
 * preferred election makes it leader. Undo puts the replica order back as it was and gives the
 * leadership back to the replica that held it.
 *
 * @param topic      the topic
 * @param partitions the partitions to move; empty or absent for every partition of the topic
 * @param to         the broker id to lead them; absent for the next in-sync replica after each current leader
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record KafkaLeaderMoveFault(String topic, List<Integer> partitions, Integer to) implements FaultSpec {
    public static final String TYPE = "kafka.leader.move";
    /** More partitions than this in one fault is a mistake, not a drill. */
    public static final int MAX_PARTITIONS = 1000;

    public KafkaLeaderMoveFault {
        Checks.topic("topic", topic);
        partitions = partitions == null ? List.of() : List.copyOf(new TreeSet<>(Checks.copy(partitions)));
        if (partitions.size() > MAX_PARTITIONS) {
            throw new InvalidFieldException("partitions", "at most " + MAX_PARTITIONS + ", got " + partitions.size());
        }
        if (!partitions.isEmpty() && partitions.get(0) < 0) {
            throw new InvalidFieldException("partitions", "a partition number is never negative, got "
                    + partitions.get(0));
        }
        if (to != null && to < 0) {
            throw new InvalidFieldException("to", "a broker id is never negative, got " + to);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a fault does, as immutable data. How a fault is carried out is the agent's business
 * (its driver); how its target is chosen is the orchestrator's.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ProcessKillFault.class, name = ProcessKillFault.TYPE),
    @JsonSubTypes.Type(value = NetworkPartitionFault.class, name = NetworkPartitionFault.TYPE),
    @JsonSubTypes.Type(value = NetworkBandwidthFault.class, name = NetworkBandwidthFault.TYPE),
    @JsonSubTypes.Type(value = NetworkDelayFault.class, name = NetworkDelayFault.TYPE),
    @JsonSubTypes.Type(value = NetworkLossFault.class, name = NetworkLossFault.TYPE),
    @JsonSubTypes.Type(value = RedisPauseFault.class, name = RedisPauseFault.TYPE),
    @JsonSubTypes.Type(value = RedisOutageFault.class, name = RedisOutageFault.TYPE),
    @JsonSubTypes.Type(value = RedisThrottleFault.class, name = RedisThrottleFault.TYPE),
    @JsonSubTypes.Type(value = ToxiproxyFault.class, name = ToxiproxyFault.TYPE),
    @JsonSubTypes.Type(value = PodKillFault.class, name = PodKillFault.TYPE),
    @JsonSubTypes.Type(value = PodFailureFault.class, name = PodFailureFault.TYPE),
    @JsonSubTypes.Type(value = KafkaLeaderMoveFault.class, name = KafkaLeaderMoveFault.TYPE),
    @JsonSubTypes.Type(value = KafkaQuotaFault.class, name = KafkaQuotaFault.TYPE),
    @JsonSubTypes.Type(value = KafkaMinIsrFault.class, name = KafkaMinIsrFault.TYPE),
    @JsonSubTypes.Type(value = KafkaGroupChurnFault.class, name = KafkaGroupChurnFault.TYPE),
})
public sealed interface FaultSpec permits ProcessKillFault, NetworkPartitionFault, NetworkBandwidthFault,
        NetworkDelayFault, NetworkLossFault, RedisPauseFault, RedisOutageFault, RedisThrottleFault, ToxiproxyFault,
        PodKillFault, PodFailureFault, KafkaLeaderMoveFault, KafkaQuotaFault, KafkaMinIsrFault,
        KafkaGroupChurnFault {
    /** The stable short name written in scenarios and on the wire, e.g. {@code process.kill}. */
    String type();

    /**
     * Whether healing this fault is meant to give the target back as it was: true for every fault
     * the agent undoes; false for a crash that heal does not restart (a killed process, a deleted
     * pod), which only a supervisor outside Faultline brings back.
     */
    default boolean healRestores() {
        return true;
    }

    /** Every fault type's wire name. */
    static Set<String> types() {
        Set<String> names = new TreeSet<>();
        for (JsonSubTypes.Type t : FaultSpec.class.getAnnotation(JsonSubTypes.class).value()) {
            names.add(t.name());
        }
        return names;
    }

    /**
     * What an agent must have found it can do, beyond a driver for {@link #type()}, to run this
     * fault (see {@link Capability}).
     */
    @JsonIgnore
    default List<String> requires() {
        return List.of();
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a fault does, as immutable data. How a fault is carried out is the agent's business
 * (its driver); how its target is chosen is the orchestrator's.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ProcessKillFault.class, name = ProcessKillFault.TYPE),
})
public sealed interface FaultSpec permits ProcessKillFault {
    /** The stable short name written in scenarios and on the wire, e.g. {@code process.kill}. */
    String type();
}

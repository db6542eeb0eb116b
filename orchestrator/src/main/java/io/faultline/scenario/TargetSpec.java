package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.util.Map;

/**
 * Which agents a fault goes to: those carrying {@code labels}, narrowed by {@code pick}.
 * {@code partition-owner} picks the agent beside the consumer that currently owns the most
 * partitions of {@code topic} in {@code group}: the agent whose {@code client-id} label equals
 * that consumer's client.id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetSpec(Map<String, String> labels, Pick pick, String group, String topic) {
    /** The label that ties an agent to the consumer it sits beside. */
    public static final String CLIENT_ID_LABEL = "client-id";

    /** How many of the matching agents get the fault. */
    public enum Pick {
        @JsonProperty("all") ALL,
        @JsonProperty("any") ANY,
        @JsonProperty("partition-owner") PARTITION_OWNER
    }

    public TargetSpec {
        labels = Checks.copy(labels);
        if (labels.isEmpty()) {
            throw new InvalidFieldException("labels", "must name at least one label");
        }
        pick = pick == null ? Pick.ALL : pick;
        if (pick == Pick.PARTITION_OWNER) {
            Checks.required("group", group);
            Checks.required("topic", topic);
        }
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Which agents a command is for: one agent by id, every agent carrying all the given labels,
 * or every agent ({@code agentId = "*"}).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Target(String agentId, Map<String, String> labels) {
    public static final String ALL = "*";

    public Target {
        labels = Checks.copy(labels);
        if (agentId == null && labels.isEmpty()) {
            throw new InvalidFieldException("target", "needs an agentId or labels");
        }
    }

    public static Target agent(String agentId) {
        return new Target(agentId, Map.of());
    }

    public boolean matches(String id, Map<String, String> agentLabels) {
        if (agentId != null && !agentId.equals(ALL) && !agentId.equals(id)) {
            return false;
        }
        return labels.entrySet().stream()
                .allMatch(e -> e.getValue().equals(agentLabels.get(e.getKey())));
    }

    /** The Kafka record key: the agent id, or {@code *} for label and broadcast targets. */
    public String recordKey() {
        return agentId != null && labels.isEmpty() ? agentId : ALL;
    }
}

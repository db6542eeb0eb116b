package io.faultline.agent;

import io.faultline.protocol.Checks;
import io.faultline.protocol.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of one agent, validated on construction.
 *
 * @param servicePidFile pid file of the service this agent sits beside; null if none
 */
public record AgentConfig(String agentId, Map<String, String> labels, String bootstrapServers, Topics topics,
                          Duration heartbeatInterval, Path servicePidFile) {
    public AgentConfig {
        Checks.id("agentId", agentId);
        labels = Checks.copy(labels);
        Checks.required("bootstrapServers", bootstrapServers);
        Checks.required("topics", topics);
        Checks.positive("heartbeatInterval", heartbeatInterval);
    }
}

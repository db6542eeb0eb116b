package io.faultline.agent;

import io.faultline.agent.policy.AgentPolicy;
import io.faultline.protocol.Checks;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Topics;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of one agent, validated on construction.
 *
 * @param servicePidFile pid file of the service this agent sits beside; null if none
 * @param redis          the Redis this agent sits beside ({@code host:port}); null if none
 * @param stateDir       where the undo journal lives; one agent per directory
 * @param trustedKeys    public keys of the orchestrators whose commands it obeys, by key id
 * @param clientSettings Kafka client settings every client of the agent takes (TLS, SASL)
 */
public record AgentConfig(String agentId, Map<String, String> labels, String bootstrapServers, Topics topics,
                          Duration heartbeatInterval, Path servicePidFile, String redis, Path stateDir,
                          AgentPolicy policy, Map<String, PublicKey> trustedKeys, Map<String, String> clientSettings) {
    public AgentConfig {
        Checks.id("agentId", agentId);
        labels = Checks.copy(labels);
        Checks.required("bootstrapServers", bootstrapServers);
        Checks.required("topics", topics);
        Checks.positive("heartbeatInterval", heartbeatInterval);
        Checks.required("stateDir", stateDir);
        policy = policy == null ? AgentPolicy.defaults() : policy;
        trustedKeys = Checks.copy(trustedKeys);
        clientSettings = Checks.copy(clientSettings);
        if (trustedKeys.isEmpty()) {
            throw new IllegalArgumentException("no public keys: give the agent the orchestrator's public key "
                    + "(--public-key; create a pair with 'faultline keys generate')");
        }
    }

    public AgentConfig(String agentId, Map<String, String> labels, String bootstrapServers, Topics topics,
                       Duration heartbeatInterval, Path servicePidFile, String redis, Path stateDir, AgentPolicy policy,
                       Map<String, PublicKey> trustedKeys) {
        this(agentId, labels, bootstrapServers, topics, heartbeatInterval, servicePidFile, redis, stateDir, policy,
                trustedKeys, null);
    }

    /** Where Kafka is, with the client settings. */
    public KafkaConnection kafka() {
        return new KafkaConnection(bootstrapServers, clientSettings);
    }

    @Override
    public String toString() {
        return "AgentConfig[" + agentId + " on " + kafka() + "]";
    }
}

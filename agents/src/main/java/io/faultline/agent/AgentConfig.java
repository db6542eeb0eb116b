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

    /**
     * An agent's settings with the defaults that work on a laptop: Faultline's topics, a heartbeat
     * a second, the default policy, no service, no Redis, no extra client settings.
     */
    public static Builder builder(String agentId, String bootstrapServers, Path stateDir,
                                  Map<String, PublicKey> trustedKeys) {
        return new Builder(agentId, bootstrapServers, stateDir, trustedKeys);
    }

    /** Builds an {@link AgentConfig}, validated once in the record's constructor. */
    public static final class Builder {
        private final String agentId;
        private final String bootstrapServers;
        private final Path stateDir;
        private final Map<String, PublicKey> trustedKeys;
        private Map<String, String> labels = Map.of();
        private Topics topics = Topics.defaults();
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Path servicePidFile;
        private String redis;
        private AgentPolicy policy;
        private Map<String, String> clientSettings = Map.of();

        private Builder(String agentId, String bootstrapServers, Path stateDir, Map<String, PublicKey> trustedKeys) {
            this.agentId = agentId;
            this.bootstrapServers = bootstrapServers;
            this.stateDir = stateDir;
            this.trustedKeys = trustedKeys;
        }

        public Builder labels(Map<String, String> labels) {
            this.labels = labels;
            return this;
        }

        public Builder topics(Topics topics) {
            this.topics = topics;
            return this;
        }

        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        /** The pid file of the service this agent sits beside. */
        public Builder servicePidFile(Path servicePidFile) {
            this.servicePidFile = servicePidFile;
            return this;
        }

        /** The Redis this agent sits beside, {@code host:port}. */
        public Builder redis(String redis) {
            this.redis = redis;
            return this;
        }

        public Builder policy(AgentPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Kafka client settings every client of the agent takes (TLS, SASL: {@code --command-config}). */
        public Builder clientSettings(Map<String, String> clientSettings) {
            this.clientSettings = clientSettings;
            return this;
        }

        public AgentConfig build() {
            return new AgentConfig(agentId, labels, bootstrapServers, topics, heartbeatInterval, servicePidFile, redis,
                    stateDir, policy, trustedKeys, clientSettings);
        }
    }
}

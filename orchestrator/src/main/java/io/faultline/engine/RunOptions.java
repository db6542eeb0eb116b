package io.faultline.engine;

import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Topics;
import java.io.PrintStream;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;

/**
 * What a run (or a plan) is told besides its scenario: where Kafka is and with which client
 * settings, Faultline's topics, how long to wait for agents and their reports, where progress
 * goes, and the key commands are signed with.
 *
 * @param agentWait      how long preflight waits for the targeted agents' heartbeats
 * @param heartbeatMaxAge an agent whose last heartbeat is older than this is not alive
 * @param commandTimeout how long to wait for an agent's report on a command
 * @param signer         signs every command; agents obey only keys they trust
 * @param clientSettings Kafka client settings every client of the run takes (TLS, SASL)
 * @param agentKeys      the agents' telemetry keys by key id: with any, the run believes only agent
 *                       events signed by one of them ({@link TelemetryGate}); empty: it believes every event
 */
public record RunOptions(String bootstrapServers, Topics topics, Duration agentWait, Duration heartbeatMaxAge,
                         Duration commandTimeout, PrintStream progress, CommandSigner signer,
                         Map<String, String> clientSettings, Map<String, PublicKey> agentKeys) {
    public RunOptions {
        clientSettings = clientSettings == null ? Map.of() : Map.copyOf(clientSettings);
        agentKeys = agentKeys == null ? Map.of() : Map.copyOf(agentKeys);
    }

    public RunOptions(String bootstrapServers, Topics topics, Duration agentWait, Duration heartbeatMaxAge,
                      Duration commandTimeout, PrintStream progress, CommandSigner signer,
                      Map<String, String> clientSettings) {
        this(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer, clientSettings,
                null);
    }

    public RunOptions(String bootstrapServers, Topics topics, Duration agentWait, Duration heartbeatMaxAge,
                      Duration commandTimeout, PrintStream progress, CommandSigner signer) {
        this(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer, null);
    }

    /** These options with the Kafka client settings given. */
    public RunOptions withClientSettings(Map<String, String> settings) {
        return new RunOptions(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer,
                settings, agentKeys);
    }

    /** These options believing only agent telemetry signed by one of {@code keys}. */
    public RunOptions withAgentKeys(Map<String, PublicKey> keys) {
        return new RunOptions(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer,
                clientSettings, keys);
    }

    /** Where Kafka is, with the client settings. */
    public KafkaConnection kafka() {
        return new KafkaConnection(bootstrapServers, clientSettings);
    }

    /** The {@link #builder} defaults, with progress to {@code progress}. */
    public static RunOptions defaults(String bootstrapServers, PrintStream progress, CommandSigner signer) {
        return builder(bootstrapServers, signer).progress(progress).build();
    }

    /** Options with the defaults that work on a laptop: Faultline's topics, 15 s agent wait and command timeout. */
    public static Builder builder(String bootstrapServers, CommandSigner signer) {
        return new Builder(bootstrapServers, signer);
    }

    /** Builds {@link RunOptions}, validated once in the record's constructor. */
    public static final class Builder {
        private final String bootstrapServers;
        private final CommandSigner signer;
        private Topics topics = Topics.defaults();
        private Duration agentWait = Duration.ofSeconds(15);
        private Duration heartbeatMaxAge = Duration.ofSeconds(5);
        private Duration commandTimeout = Duration.ofSeconds(15);
        private PrintStream progress;
        private Map<String, String> clientSettings = Map.of();
        private Map<String, PublicKey> agentKeys = Map.of();

        private Builder(String bootstrapServers, CommandSigner signer) {
            this.bootstrapServers = bootstrapServers;
            this.signer = signer;
        }

        public Builder topics(Topics topics) {
            this.topics = topics;
            return this;
        }

        /** How long preflight waits for the targeted agents' heartbeats. */
        public Builder agentWait(Duration agentWait) {
            this.agentWait = agentWait;
            return this;
        }

        /** An agent whose last heartbeat is older than this is not alive. */
        public Builder heartbeatMaxAge(Duration heartbeatMaxAge) {
            this.heartbeatMaxAge = heartbeatMaxAge;
            return this;
        }

        /** How long to wait for an agent's report on a command. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        /** Where progress lines go; null for none. */
        public Builder progress(PrintStream progress) {
            this.progress = progress;
            return this;
        }

        /** Kafka client settings every client of the run takes (TLS, SASL: {@code --command-config}). */
        public Builder clientSettings(Map<String, String> clientSettings) {
            this.clientSettings = clientSettings;
            return this;
        }

        /** The agents' telemetry keys: with any, only agent events signed by one of them are believed. */
        public Builder agentKeys(Map<String, PublicKey> agentKeys) {
            this.agentKeys = agentKeys;
            return this;
        }

        public RunOptions build() {
            return new RunOptions(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer,
                    clientSettings, agentKeys);
        }
    }
}

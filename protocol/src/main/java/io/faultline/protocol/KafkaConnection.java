package io.faultline.protocol;

import java.util.Map;
import java.util.Properties;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers, and the client settings every
 * Faultline client takes on top of its own (TLS, SASL: the contents of {@code --command-config},
 * as Kafka's own tools take them). {@link #toString()} never shows the settings, which hold
 * passwords.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> settings) {
    public KafkaConnection {
        Checks.required("bootstrapServers", bootstrapServers);
        settings = Checks.copy(settings);
    }

    /**
     * How long a Faultline client waits for a broker's answer before it tries again: 5 s, not
     * Kafka's 30 s, so that a broker frozen in a game-day (SIGSTOP: its connections stay open and
     * silent) holds a command, a report or a canary for 5 s at a time, and the client looks up the
     * new leader soon after the cluster fences the frozen one. Faultline's records are small, and
     * a request that times out is sent again (producers are idempotent). The client settings may
     * say otherwise.
     */
    public static final String REQUEST_TIMEOUT_MS = "5000";

    /** A plain connection, with no client settings. */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * The properties a client named {@code clientId} starts from: {@link #REQUEST_TIMEOUT_MS}, the
     * client settings, then the bootstrap servers and the client id. Callers put their own
     * required settings on top.
     */
    public Properties client(String clientId) {
        Properties p = new Properties();
        p.put("request.timeout.ms", REQUEST_TIMEOUT_MS);
        p.putAll(settings);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        return p;
    }

    @Override
    public String toString() {
        return bootstrapServers + (settings.isEmpty() ? "" : " (with " + settings.size() + " client settings)");
    }
}

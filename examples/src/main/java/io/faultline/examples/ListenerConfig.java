package io.faultline.examples;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one order-listener instance, validated on construction.
 *
 * @param clientSettings Kafka client settings every client of the listener starts from (TLS, SASL),
 *                       as in a Kafka tool's {@code --command-config} file; the listener's own
 *                       settings (group, serializers, transactions) win
 */
public record ListenerConfig(String bootstrapServers, DeliveryMode mode, String instance, String group,
                             String input, String output, Duration processingTime, Duration commitInterval,
                             Duration sessionTimeout, Duration transactionTimeout, Map<String, String> clientSettings) {
    public ListenerConfig(String bootstrapServers, DeliveryMode mode, String instance, String group, String input,
                          String output, Duration processingTime, Duration commitInterval, Duration sessionTimeout,
                          Duration transactionTimeout) {
        this(bootstrapServers, mode, instance, group, input, output, processingTime, commitInterval, sessionTimeout,
                transactionTimeout, Map.of());
    }

    public ListenerConfig {
        clientSettings = clientSettings == null ? Map.of() : Map.copyOf(clientSettings);
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        requireNotNegative("processingTime", processingTime);
        requireNotNegative("commitInterval", commitInterval);
        requireNotNegative("sessionTimeout", sessionTimeout);
        requireNotNegative("transactionTimeout", transactionTimeout);
    }

    private static void requireNotNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a non-negative duration");
        }
    }
}

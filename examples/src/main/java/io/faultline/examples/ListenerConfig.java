package io.faultline.examples;

import java.time.Duration;
import java.util.Objects;

/** Settings of one order-listener instance, validated on construction. */
public record ListenerConfig(String bootstrapServers, DeliveryMode mode, String instance, String group,
                             String input, String output, Duration processingTime, Duration commitInterval,
                             Duration sessionTimeout, Duration transactionTimeout) {
    public ListenerConfig {
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

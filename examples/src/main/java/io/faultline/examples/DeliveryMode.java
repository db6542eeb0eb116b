package io.faultline.examples;

import java.util.Locale;

/** How the order listener ties its output to its input offsets. */
public enum DeliveryMode {
    /** Transactional consume-process-produce: outputs and offsets commit together. */
    EXACTLY_ONCE,
    /** Offsets are committed after the outputs are written, every commit interval: a crash re-processes. */
    AT_LEAST_ONCE,
    /** Offsets are committed as soon as orders are received: a crash loses the orders still in flight. */
    AT_MOST_ONCE;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static DeliveryMode fromCli(String value) {
        for (DeliveryMode m : values()) {
            if (m.cliName().equals(value) || m.name().equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown delivery mode '" + value
                + "' (expected exactly-once, at-least-once or at-most-once)");
    }
}

package io.faultline.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Argument checks shared by the wire types' compact constructors. */
public final class Checks {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}");

    /** Kafka's own rule for topic names (and the same characters for group and client ids here). */
    private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._\\-]{1,249}");

    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@\\-]{0,14}");

    private Checks() {
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidFieldException(field, "is required");
        }
        return value;
    }

    /** A Kafka topic name, as Kafka allows them: letters, digits, '.', '_', '-', at most 249. */
    public static String topic(String field, String value) {
        required(field, value);
        if (!KAFKA_NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new InvalidFieldException(field, "'" + shown(value) + "' is not a valid topic name "
                    + "(letters, digits, '.', '_', '-'; at most 249)");
        }
        return value;
    }

    /** A name Kafka keeps as a quota entity or group id: not blank, at most 249 characters, no control characters. */
    public static String kafkaName(String field, String value) {
        required(field, value);
        if (value.isBlank() || value.length() > 249 || value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidFieldException(field, "'" + shown(value) + "' is not a usable name "
                    + "(not blank, at most 249 characters, no control characters)");
        }
        return value;
    }

    /** A value as an error message may quote it: its first 64 characters. */
    static String shown(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }

    public static String id(String field, String value) {
        required(field, value);
        if (!ID.matcher(value).matches()) {
            throw new InvalidFieldException(field,
                    "'" + value + "' is not a valid id (letters, digits, '.', '_', ':', '-'; at most 128)");
        }
        return value;
    }

    /** Positive and at most {@link Durations#MAX}: no lease, pause or timeout can overflow a clock. */
    public static Duration positive(String field, Duration value) {
        required(field, value);
        if (value.isNegative() || value.isZero()) {
            throw new InvalidFieldException(field, "must be positive, got " + Durations.format(value));
        }
        return bounded(field, value);
    }

    static Duration bounded(String field, Duration value) {
        if (value.compareTo(Durations.MAX) > 0) {
            throw new InvalidFieldException(field, "must be at most " + Durations.format(Durations.MAX) + ", got "
                    + Durations.describe(value));
        }
        return value;
    }

    public static Duration notNegative(String field, Duration value) {
        required(field, value);
        if (value.isNegative()) {
            throw new InvalidFieldException(field, "must not be negative, got " + Durations.describe(value));
        }
        return bounded(field, value);
    }

    /** {@code value} is not before {@code other} (for instant pairs such as issuedAt / notAfter). */
    public static void notBefore(String field, Instant value, Instant other) {
        if (value.isBefore(other)) {
            throw new InvalidFieldException(field, "is before " + other);
        }
    }

    public static int port(String field, int port) {
        if (port < 1 || port > 65_535) {
            throw new InvalidFieldException(field, "port " + port + " is not in 1-65535");
        }
        return port;
    }

    /** A network interface name as Linux allows it (at most 15 characters), or null. */
    public static String device(String field, String name) {
        if (name != null && !DEVICE.matcher(name).matches()) {
            throw new InvalidFieldException(field, "'" + name + "' is not a network interface name");
        }
        return name;
    }

    public static <K, V> Map<K, V> copy(Map<K, V> map) {
        return map == null ? Map.of() : Map.copyOf(map);
    }

    public static <T> List<T> copy(Collection<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}

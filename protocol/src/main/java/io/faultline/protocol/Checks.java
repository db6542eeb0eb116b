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

    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@\\-]{0,14}");

    private Checks() {
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidFieldException(field, "is required");
        }
        return value;
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

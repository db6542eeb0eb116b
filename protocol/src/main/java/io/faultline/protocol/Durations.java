package io.faultline.protocol;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in scenarios: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h},
 * {@code 2d}, or ISO-8601. None is longer than {@link #MAX}: a longer one is an error, never clamped.
 */
public final class Durations {
    /** The longest duration Faultline accepts anywhere: a lease, a pause, a timeout, a soak. */
    public static final Duration MAX = Duration.ofDays(7);
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** Parses {@code text}; throws with a readable message when it is no duration or longer than {@link #MAX}. */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.length() > 64) {
            throw new IllegalArgumentException("'" + t.substring(0, 20) + "...' is not a duration (write e.g. 500ms, 10s, 2m)");
        }
        Duration d;
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> n;
                case "s" -> n * 1_000;
                case "m" -> n * 60_000;
                case "h" -> n * 3_600_000;
                default -> n * 86_400_000;
            };
            if (millis > MAX.toMillis()) {
                throw new IllegalArgumentException("'" + text + "' is longer than the longest duration Faultline takes, "
                        + format(MAX));
            }
            d = Duration.ofMillis(Math.round(millis));
        } else {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (write e.g. 500ms, 10s, 2m)");
            }
            if (d.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("'" + text + "' is longer than the longest duration Faultline takes, "
                        + format(MAX));
            }
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is negative");
        }
        return d;
    }

    /** {@link #format}, or for a duration too long or negative to be one Faultline took, its days. */
    public static String describe(Duration d) {
        if (d.isNegative() || d.compareTo(MAX) > 0) {
            return d.toDays() + " days";
        }
        return format(d);
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}

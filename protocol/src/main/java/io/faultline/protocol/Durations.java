package io.faultline.protocol;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in scenarios: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String text) {
        String t = text.trim();
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            long millis = switch (m.group(2)) {
                case "ms" -> Math.round(n);
                case "s" -> Math.round(n * 1_000);
                case "m" -> Math.round(n * 60_000);
                default -> Math.round(n * 3_600_000);
            };
            return Duration.ofMillis(millis);
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write e.g. 500ms, 10s, 2m)");
        }
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
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

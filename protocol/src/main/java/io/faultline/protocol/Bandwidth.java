package io.faultline.protocol;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rates as tc writes them: {@code 512kbit}, {@code 1mbit}, {@code 1gbit}. */
public final class Bandwidth {
    private static final Pattern RATE = Pattern.compile("(\\d{1,9})(bit|kbit|mbit|gbit)");

    private Bandwidth() {
    }

    /** Validates a rate and returns it in bits per second. */
    public static long bitsPerSecond(String field, String rate) {
        Checks.required(field, rate);
        Matcher m = RATE.matcher(rate.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidFieldException(field, "'" + rate + "' is not a rate (write e.g. 512kbit, 1mbit)");
        }
        long n = Long.parseLong(m.group(1));
        long bps = switch (m.group(2)) {
            case "kbit" -> n * 1_000;
            case "mbit" -> n * 1_000_000;
            case "gbit" -> n * 1_000_000_000;
            default -> n;
        };
        if (bps < 8_000) {
            throw new InvalidFieldException(field, "'" + rate + "' is below the smallest supported rate, 8kbit");
        }
        return bps;
    }
}

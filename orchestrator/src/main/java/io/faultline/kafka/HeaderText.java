package io.faultline.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** A record header read as text, the way every Faultline reader of a record needs it. */
public final class HeaderText {
    private HeaderText() {
    }

    /** The last header {@code name} as UTF-8 text; null when there is none (or it has no value). */
    public static String of(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * The last header {@code name} as a decimal number (an optional minus and up to 18 digits,
     * read from its bytes without making text); null when there is none or it is not one.
     */
    public static Long number(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        byte[] v = h == null ? null : h.value();
        if (v == null || v.length == 0) {
            return null;
        }
        int k = v[0] == '-' ? 1 : 0;
        if (v.length - k < 1 || v.length - k > 18) {
            return null;
        }
        long n = 0;
        for (int i = k; i < v.length; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            n = n * 10 + d;
        }
        return k == 1 ? -n : n;
    }
}

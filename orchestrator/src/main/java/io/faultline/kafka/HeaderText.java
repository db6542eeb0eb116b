package io.faultline.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
        long n = number(r, name, Long.MIN_VALUE);
        return n == Long.MIN_VALUE ? null : n;
    }

    /**
     * As {@link #number(ConsumerRecord, String)}, unboxed: {@code absent} when there is none or it
     * is not one (no number of 18 digits is {@link Long#MIN_VALUE}). For readers of every record.
     */
    public static long number(ConsumerRecord<?, ?> r, String name, long absent) {
        Header h = r.headers().lastHeader(name);
        byte[] v = h == null ? null : h.value();
        if (v == null || v.length == 0) {
            return absent;
        }
        int k = v[0] == '-' ? 1 : 0;
        if (v.length - k < 1 || v.length - k > 18) {
            return absent;
        }
        long n = 0;
        for (int i = k; i < v.length; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9) {
                return absent;
            }
            n = n * 10 + d;
        }
        return k == 1 ? -n : n;
    }

    /**
     * The text of one header read record after record, made a string only when it is one not
     * seen among the last few (a service's instance names repeat on every result). For one
     * reading thread.
     */
    public static final class Recent {
        private static final int KEPT = 8;
        private final String name;
        private final byte[][] bytes = new byte[KEPT][];
        private final String[] texts = new String[KEPT];
        private int next;

        public Recent(String name) {
            this.name = name;
        }

        /** The header's text in {@code r}; null when it has none. */
        public String of(ConsumerRecord<?, ?> r) {
            Header h = r.headers().lastHeader(name);
            byte[] v = h == null ? null : h.value();
            if (v == null) {
                return null;
            }
            for (int i = 0; i < KEPT; i++) {
                if (bytes[i] != null && Arrays.equals(bytes[i], v)) {
                    return texts[i];
                }
            }
            String text = new String(v, StandardCharsets.UTF_8);
            bytes[next] = v.clone();
            texts[next] = text;
            next = (next + 1) % KEPT;
            return text;
        }
    }
}

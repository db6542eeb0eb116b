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
}

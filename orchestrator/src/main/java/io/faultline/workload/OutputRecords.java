package io.faultline.workload;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** What the canary observer reads off an output record besides its id: headers, and the record in words. */
final class OutputRecords {
    private OutputRecords() {
    }

    /** One record as a person reads it: partition and offset, key, headers and value, each cut short. */
    static String describe(ConsumerRecord<String, byte[]> r) {
        StringBuilder b = new StringBuilder("partition " + r.partition() + " offset " + r.offset() + ": key=")
                .append(r.key() == null ? "null" : cut(r.key(), 60)).append(", headers={");
        String sep = "";
        for (Header h : r.headers()) {
            b.append(sep).append(h.key()).append('=')
                    .append(h.value() == null ? "null" : cut(new String(h.value(), StandardCharsets.UTF_8), 60));
            sep = ", ";
        }
        b.append("}, value=").append(r.value() == null ? "null"
                : cut(new String(r.value(), StandardCharsets.UTF_8), 200));
        return b.toString();
    }

    private static String cut(String s, int max) {
        String oneLine = s.replaceAll("[\\p{Cntrl}]", "?");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "... (" + s.length() + " chars)";
    }
}

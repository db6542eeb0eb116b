package io.faultline.history;

import io.faultline.kafka.Clients;
import io.faultline.kafka.TopicReader;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The verdicts topic read as the history of game-days: every verdict from {@code since} (or the
 * beginning) up to the end the topic had when reading started, so a reader always finishes
 * however busy the topic is. A record that is not a verdict, or not a plausible one (see
 * {@link #plausible}), is skipped and counted.
 */
public final class VerdictLog {
    /** What was read: the verdicts in log order, and how many records were not verdicts. */
    public record Read(List<Verdict> verdicts, long skipped) {
    }

    /** Run times a verdict may carry: outside them it is forged or damaged, and skipped. */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private VerdictLog() {
    }

    /**
     * Whether {@code v} can be a run's verdict: a status, and start and end times in order between
     * {@link #EARLIEST} and {@link #LATEST}. One forged verdict with a time at the end of Java's range
     * made every page of the history and every scrape of the exporter fail.
     */
    public static boolean plausible(Verdict v) {
        return v != null && v.status() != null && v.startedAt() != null && v.finishedAt() != null
                && !v.startedAt().isBefore(EARLIEST) && !v.finishedAt().isAfter(LATEST)
                && !v.finishedAt().isBefore(v.startedAt());
    }

    /**
     * @param since  the earliest record time to read; null for the whole topic
     * @param budget how long reading may take at most
     */
    public static Read read(KafkaConnection kafka, String topic, Instant since, Duration budget) {
        List<Verdict> out = new ArrayList<>();
        long[] skipped = {0};
        try (KafkaConsumer<String, byte[]> consumer = Clients.reader(kafka, "faultline-history")) {
            TopicReader.open(consumer, topic, since, Duration.ofSeconds(15), Clock.systemUTC()).readToEnd(budget, r -> {
                try {
                    Verdict v = Json.decode(r.value(), Verdict.class);
                    if (plausible(v)) {
                        out.add(v);
                    } else {
                        skipped[0]++;
                    }
                } catch (RuntimeException e) {
                    // Not a verdict: garbage, or a record of another kind.
                    skipped[0]++;
                }
            });
        }
        return new Read(out, skipped[0]);
    }
}

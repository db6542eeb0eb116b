package io.faultline.engine;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.faultline.kafka.Clients;
import io.faultline.kafka.TopicReader;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.RunRecord;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.verifier.History;
import io.faultline.verifier.Verifier;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What a run's verdict was computed from: the scenario's checks and the history on the
 * orchestrator's clock. Published to telemetry as {@link RunRecord} parts before the verdict, so
 * the log alone is enough to verify a run again ({@code faultline replay}).
 */
public record RunAudit(String scenario, ChecksSpec checks, List<ProbeSpec> probes, History history) {
    /** Part size in characters (ASCII, so bytes too): well under Kafka's default 1 MB record limit. */
    static final int PART = 256 * 1024;

    public RunAudit {
        probes = probes == null ? List.of() : List.copyOf(probes);
    }

    public Verifier.Result verify() {
        return Verifier.verify(history, checks, probes);
    }

    /**
     * Publishes the audit as parts keyed by the run id (so they stay in order). The JSON is
     * written twice, never held whole: once to count its length (every part says how many there
     * are), then into parts of {@link #PART} characters sent as they fill. Non-ASCII characters are
     * escaped, so a part boundary never splits one.
     */
    void publish(Producer<String, byte[]> producer, String topic, Clock clock) throws InfrastructureException {
        ObjectWriter writer = Json.mapper().writer()
                .with(JsonWriteFeature.ESCAPE_NON_ASCII);
        try {
            Counting counted = new Counting();
            writer.writeValue(counted, this);
            int parts = (int) Math.max(1, (counted.bytes + PART - 1) / PART);
            try (Parts out = new Parts(producer, topic, clock, parts)) {
                writer.writeValue(out, this);
            }
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof ExecutionException ee && ee.getCause() != null ? ee.getCause()
                    : e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new InfrastructureException("interrupted while publishing the audit record");
            }
            throw new InfrastructureException("cannot publish the audit record of " + history.runId() + ": "
                    + (cause instanceof TimeoutException ? "timed out" : cause.getMessage()));
        }
    }

    /** Counts what is written to it and keeps nothing. */
    private static final class Counting extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    /** Sends every {@link #PART} bytes written to it as the next {@link RunRecord}; the last part on close. */
    private final class Parts extends OutputStream {
        private final Producer<String, byte[]> producer;
        private final String topic;
        private final Clock clock;
        private final int parts;
        private final byte[] buffer = new byte[PART];
        private int filled;
        private int next;

        Parts(Producer<String, byte[]> producer, String topic, Clock clock, int parts) {
            this.producer = producer;
            this.topic = topic;
            this.clock = clock;
            this.parts = parts;
        }

        @Override
        public void write(int b) throws IOException {
            if (filled == PART) {
                send();
            }
            buffer[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (filled == PART) {
                    send();
                }
                int n = Math.min(len, PART - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void send() throws IOException {
            if (next >= parts) {
                throw new IOException("the audit record grew while it was written");
            }
            String body = new String(buffer, 0, filled, StandardCharsets.US_ASCII);
            RunRecord r = new RunRecord(history.runId(), "orchestrator", clock.instant(), next, parts, body);
            try {
                producer.send(new ProducerRecord<>(topic, r.recordKey(), Json.encode(r))).get(15, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | InterruptedException e) {
                throw new IOException(e);
            }
            next++;
            filled = 0;
        }

        @Override
        public void close() throws IOException {
            if (filled > 0 || next == 0) {
                send();
            }
            if (next != parts) {
                throw new IOException("the audit record changed length while it was written");
            }
        }
    }

    /** Reads the run's audit from the telemetry topic, from its beginning; null if it is not there. */
    public static RunAudit read(String bootstrapServers, String topic, String runId, Duration timeout) {
        return read(KafkaConnection.of(bootstrapServers), topic, runId, timeout);
    }

    /** As {@link #read(String, String, String, Duration)}, with the connection's client settings. */
    public static RunAudit read(KafkaConnection kafka, String topic, String runId,
                                Duration timeout) {
        try (KafkaConsumer<String, byte[]> consumer = Clients.reader(kafka, "faultline-replay")) {
            TopicReader reader = TopicReader.open(consumer, topic, null, timeout, Clock.systemUTC());
            TreeMap<Integer, String> parts = new TreeMap<>();
            int[] expected = {-1};
            // To the end, and on while parts of the record are known to be missing (still being written).
            reader.readUntil(timeout, () -> (expected[0] > 0 && parts.size() == expected[0])
                    || (reader.atEnd() && !(expected[0] > 0 && parts.size() < expected[0])), r -> {
                        if (!runId.equals(r.key())) {
                            return;
                        }
                        try {
                            if (Json.decode(r.value(), TelemetryEvent.class) instanceof RunRecord rr) {
                                parts.put(rr.part(), rr.body());
                                expected[0] = rr.parts();
                            }
                        } catch (Json.JsonCodecException e) {
                            // Not ours to judge here.
                        }
                    });
            if (expected[0] < 0 || parts.size() != expected[0]) {
                return null;
            }
            return decode(runId, String.join("", parts.values()));
        }
    }

    /**
     * The audit record of run {@code runId} from its text; a record that does not read as one
     * (damaged, or written by hand) is refused in words, never with a Java type's name.
     */
    static RunAudit decode(String runId, String body) {
        try {
            RunAudit audit = Json.decode(body, RunAudit.class);
            if (audit == null || audit.history() == null) {
                throw new IllegalArgumentException("it holds no history");
            }
            return audit;
        } catch (RuntimeException e) {
            throw new DamagedRecordException("the audit record of run " + runId + " is damaged and cannot be replayed"
                    + (e instanceof IllegalArgumentException && e.getMessage() != null ? ": " + e.getMessage() : ""));
        }
    }

    /** An audit record that cannot be read back. */
    public static final class DamagedRecordException extends RuntimeException {
        public DamagedRecordException(String message) {
            super(message);
        }
    }
}

package io.faultline.it.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A Kafka Streams application as a user would write it, the system under test of
 * {@code KafkaStreamsIT}: nothing in it knows Faultline. {@code passthrough} copies every record;
 * {@code payments} turns a canary into {@code {"paymentId": <id>, "status": "SETTLED"}}, keyed by
 * payment, a schema of its own that the scenario's canary adapter reads.
 *
 * <pre>
 * StreamsApp BOOTSTRAP APPLICATION_ID CLIENT_ID INPUT OUTPUT GUARANTEE COMMIT_MS TOPOLOGY STATE_DIR PID_FILE
 * </pre>
 */
public final class StreamsApp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamsApp() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String applicationId = args[1];
        String clientId = args[2];
        String input = args[3];
        String output = args[4];
        String guarantee = args[5];
        String commitMs = args[6];
        String topology = args[7];
        Path stateDir = Path.of(args[8]);
        Path pidFile = Path.of(args[9]);

        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.CLIENT_ID_CONFIG, clientId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "3000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "500");
        p.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), "5000");
        p.put(StreamsConfig.producerPrefix("linger.ms"), "0");

        StreamsBuilder b = new StreamsBuilder();
        var in = b.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()));
        if (topology.equals("payments")) {
            in.map((key, value) -> {
                JsonNode canary = read(value);
                String id = canary == null ? "" : canary.path("id").asText();
                Map<String, String> settled = new HashMap<>();
                settled.put("paymentId", id);
                settled.put("status", "SETTLED");
                return KeyValue.pair("payment-" + id, write(settled));
            }).to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
        } else {
            in.to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
        }

        KafkaStreams streams = new KafkaStreams(b.build(), p);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(10));
            done.countDown();
        }));
        streams.start();
        Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        Thread parent = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Only the end of the stream matters: the test JVM is gone.
                }
            } catch (IOException e) {
                // The same.
            }
            System.exit(0);
        }, "parent-watch");
        parent.setDaemon(true);
        parent.start();
        done.await();
    }

    private static JsonNode read(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

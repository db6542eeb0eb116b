package io.faultline.bench;

import io.faultline.engine.KafkaClients;
import io.faultline.kafka.HeaderText;
import io.faultline.protocol.Json;
import io.faultline.scenario.ChecksSpec;
import io.faultline.verifier.CanaryLog;
import io.faultline.verifier.History;
import io.faultline.verifier.SentEvent;
import io.faultline.verifier.Verifier;
import io.faultline.workload.CanaryCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Verifier throughput: the pure checker under JMH (events per second on one thread), and end to
 * end (consume canary results from Kafka, decode, check) against Kafka's ConsumerPerformance
 * reading the same records.
 */
final class VerifierBench {
    private static final int RECORDS = 1_000_000;

    private VerifierBench() {
    }

    static void run(String bootstrap, Path dir, Report report) throws Exception {
        RunResult jmh = new Runner(new OptionsBuilder().include(VerifierJmh.class.getName()).forks(1).threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
                .measurementTime(TimeValue.seconds(2)).jvmArgs("-Xmx1g").build()).runSingle();
        double opsPerSec = jmh.getPrimaryResult().getScore();
        double eventsPerSec = opsPerSec * (VerifierJmh.EVENTS * 2);
        report.put("verifier", "pure-events-per-second-one-core", eventsPerSec);

        String topic = "bench-canary-out";
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(topic, 1));
        }
        Instant t0 = produce(bootstrap, topic);
        // Rounds of the three, one after the other: a JVM's first consumer runs cold (its JIT has not
        // compiled the client yet) and a fresh JVM's (the peer's) always does, so one measurement of
        // each compares warm-up, not work. The medians are compared; every round is reported.
        List<Double> raw = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        List<Double> peers = new ArrayList<>();
        List<String> rounds = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            raw.add(rawConsume(bootstrap, topic));
            fetchNs = 0;
            decodeNs = 0;
            ours.add(consumeAndCheck(bootstrap, topic, sentLog(t0)));
            peers.add(consumerPerformance(bootstrap, topic));
            rounds.add(String.format(Locale.ROOT, "round %d: plain consumer %.0f, ours %.0f (%s), ConsumerPerformance "
                    + "%.0f (%s) records/s", round, raw.get(round - 1), ours.get(round - 1), breakdown,
                    peers.get(round - 1), peerFields));
        }
        // The first round warms this JVM's compiler; the medians are over the rounds after it.
        double oursMedian = median(ours.subList(1, ROUNDS));
        double peer = median(peers.subList(1, ROUNDS));
        double plain = median(raw.subList(1, ROUNDS));
        report.put("verifier", "end-to-end-records-per-second", oursMedian);
        report.put("verifier", "consumer-performance-records-per-second", peer);
        report.put("verifier", "plain-consumer-records-per-second", plain);
        report.put("verifier", "rounds", rounds);
        report.md("## Verifier throughput\n");
        report.md(String.format(Locale.ROOT, "- Pure checker (JMH, one thread, %d canaries + %d observations per run): "
                + "%.2f million events/s (%.1f runs/s).", VerifierJmh.EVENTS, VerifierJmh.EVENTS, eventsPerSec / 1e6, opsPerSec));
        report.md(String.format(Locale.ROOT, "- End to end, %d canary results from Kafka, decoded and checked, median of "
                + "rounds 2-%d: %.0f records/s; Kafka's ConsumerPerformance on the same records (its fetch rate, in a JVM of its "
                + "own): %.0f records/s; ratio %.2f. A plain KafkaConsumer in this JVM, assigned, counting: %.0f records/s; "
                + "ours against it %.2fx.", RECORDS, ROUNDS, oursMedian, peer, oursMedian / peer, plain, oursMedian / plain));
        rounds.forEach(r -> report.md("  - " + r));
        report.md("");
    }

    private static final int ROUNDS = 5;

    private static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    /** The canaries as the orchestrator's workload records them: all sent and acknowledged, from {@code t0}, 1 ms apart. */
    private static CanaryLog sentLog(Instant t0) {
        CanaryLog log = new CanaryLog("bench:", 16);
        for (long seq = 0; seq < RECORDS; seq++) {
            Instant at = t0.plusMillis(seq);
            log.sent(seq, at);
            log.acknowledged(seq, at, 0, seq);
        }
        return log;
    }

    /**
     * Kafka's consumer doing nothing but count: assigned, from the beginning, with the settings of
     * {@link #consumeAndCheck}, timed the same way (from the first poll to the last record).
     */
    private static double rawConsume(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerSettings(bootstrap))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            c.position(tp);
            long t0 = System.nanoTime();
            long n = 0;
            long bytes = 0;
            while (n < RECORDS) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    n++;
                    bytes += r.serializedValueSize();
                }
            }
            if (bytes == 0) {
                throw new IllegalStateException("no bytes read");
            }
            return RECORDS / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** The consumer settings ours and the plain consumer share: assigned, no commits, 2,000 records a poll. */
    private static Properties consumerSettings(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** ConsumerPerformance's result line, named field by field. */
    private static String peerFields = "";

    /** Sends the canary results, {@code sentAt} 1 ms apart from the instant it returns. */
    private static Instant produce(String bootstrap, String topic) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Instant t0 = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (long seq = 0; seq < RECORDS; seq++) {
                String id = "bench:" + seq;
                Instant at = t0.plusMillis(seq);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, "k" + seq % 16, Json.encode(Map.of("id", id,
                        "run", "bench", "seq", seq, "key", "k" + seq % 16, "sentAt", at.toString())));
                r.headers().add("input-offset", Long.toString(seq).getBytes(StandardCharsets.UTF_8));
                r.headers().add("processed-by", "l1".getBytes(StandardCharsets.UTF_8));
                producer.send(r);
            }
            producer.flush();
        }
        return t0;
    }

    /** What the orchestrator does with canary results: decode each, keep its run's, then check them all. */
    private static long fetchNs;
    private static long decodeNs;
    private static String breakdown;

    private static double consumeAndCheck(String bootstrap, String topic, CanaryLog log) {
        long t0;
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerSettings(bootstrap));
        try {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            c.position(tp);
            t0 = System.nanoTime();
            Instant now = Instant.now();
            HeaderText.Recent processedBy = new HeaderText.Recent("processed-by");
            while (log.observedCount() < RECORDS) {
                long f0 = System.nanoTime();
                var batch = c.poll(Duration.ofMillis(500));
                long f1 = System.nanoTime();
                fetchNs += f1 - f0;
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    // The orchestrator's own decoder and header readers, as its canary observer uses them.
                    long seq = CanaryCodec.seq(r.value(), "bench", "bench:");
                    if (seq == CanaryCodec.NOT_OURS) {
                        continue;
                    }
                    log.observed(seq, seq == CanaryCodec.ODD ? CanaryCodec.id(r.value(), "bench") : null, now,
                            r.partition(), r.offset(), processedBy.of(r),
                            HeaderText.number(r, "input-offset", CanaryLog.NO_INPUT_OFFSET));
                }
                decodeNs += System.nanoTime() - f1;
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        List<SentEvent> sent = log.sent();
        Instant end = sent.get(sent.size() - 1).sentAt();
        long v0 = System.nanoTime();
        Verifier.Result r = Verifier.verify(new History("bench", sent, log.observations(), List.of(), Duration.ofMillis(1), end,
                end.plusSeconds(1), List.of(), Map.of(0, (long) RECORDS), List.of(), List.of()), ChecksSpec.DEFAULTS);
        long verifyNs = System.nanoTime() - v0;
        if (r.canary().lost() + r.canary().unseen() != 0) {
            throw new IllegalStateException("bench records missing: " + r.canary());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // Closed after the clock stops, as ConsumerPerformance's fetch rate leaves its own close out.
        c.close();
        breakdown = String.format(Locale.ROOT, "fetch %.0f%%, decode %.0f%%, check %.0f%% of %.2f s",
                100 * fetchNs / 1e9 / seconds, 100 * decodeNs / 1e9 / seconds, 100 * verifyNs / 1e9 / seconds, seconds);
        return RECORDS / seconds;
    }

    private static String elapsed(String[] f) {
        try {
            return Long.toString(Long.parseLong(f[7]) + Long.parseLong(f[6]));
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    /** kafka-tools' ConsumerPerformance in its own JVM, reading the same records; its fetch rate (no group join). */
    private static double consumerPerformance(String bootstrap, String topic) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server",
                bootstrap, "--topic", topic, "--messages", Integer.toString(RECORDS), "--timeout", "60000");
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                lines.add(l);
            }
        }
        proc.waitFor();
        // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
        // fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
        for (int i = lines.size() - 1; i >= 0; i--) {
            String[] f = lines.get(i).split(",\\s*");
            if (f.length >= 10 && f[9].matches("[0-9.]+")) {
                peerFields = String.format(Locale.ROOT, "%s ms in all, of which %s ms joining the group and %s ms "
                        + "fetching: %s records/s over the fetch (the figure used), %s records/s over it all", elapsed(f),
                        f[6], f[7], f[9], f[5]);
                return Double.parseDouble(f[9]);
            }
        }
        throw new IllegalStateException("ConsumerPerformance printed no result: " + lines);
    }
}

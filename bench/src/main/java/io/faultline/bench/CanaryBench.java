package io.faultline.bench;

import com.sun.management.OperatingSystemMXBean;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Json;
import io.faultline.scenario.CanarySpec;
import io.faultline.scenario.ChecksSpec;
import io.faultline.verifier.CanaryLog;
import io.faultline.verifier.Fold;
import io.faultline.verifier.History;
import io.faultline.verifier.Verifier;
import io.faultline.workload.CanaryWorkload;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The canary producer's ceiling and what a canary costs the orchestrator in memory. A relay
 * stands in for the system under test (consume the input topic, write each record to the output
 * topic with its key, value and headers; the fastest service there is), and the real
 * {@link CanaryWorkload} runs against it at increasing target rates. Reported per rate: what was
 * really sent per second, what the pacer counted as not sent on time, and the CPU of the whole
 * process (the embedded broker, the relay and the canary share one JVM); then, for the long run, retained heap per canary event (heap used after a full GC, over
 * the events sent) and the process's resident memory.
 */
final class CanaryBench {
    /** Folding as a game-day does it: every 5 s, the canaries sent more than 30 s ago. */
    private static final Duration FOLD_EVERY = Duration.ofSeconds(5);
    private static final Duration FOLD_HORIZON = Duration.ofSeconds(30);

    private CanaryBench() {
    }

    static void run(String bootstrap, Path dir, List<Integer> rates, Duration step, long longRunEvents, Report report)
            throws Exception {
        String in = "bench-canary-in";
        String out = "bench-canary-relayed";
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(in, 1, out, 1));
        }
        AtomicBoolean relaying = new AtomicBoolean(true);
        AtomicLong relayed = new AtomicLong();
        Thread relay = new Thread(() -> relay(bootstrap, in, out, relaying, relayed), "bench-relay");
        relay.start();
        report.md("\n## Canary rate and memory\n");
        report.md("| target /s | sent /s | not sent on time | observed /s | CPU of the process, cores (broker, relay and canary) |");
        report.md("|---|---|---|---|---|");
        try {
            for (int rate : rates) {
                CanarySpec spec = new CanarySpec(in, out, (double) rate, 1, 16, Duration.ofSeconds(30), null, null, null);
                try (CanaryWorkload canary = new CanaryWorkload(bootstrap, "bench-" + rate, spec, Clock.systemUTC())) {
                    long cpu0 = cpuNanos();
                    long t0 = System.nanoTime();
                    canary.start();
                    Thread.sleep(step.toMillis());
                    canary.stopProducing();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    canary.drain(Duration.ofSeconds(30));
                    double cpu = (cpuNanos() - cpu0) / 1e9 / seconds;
                    double sent = canary.sentCount() / seconds;
                    double observed = canary.observedCount() / seconds;
                    report.put("canary", "rate-" + rate + "-sent-per-second", sent);
                    report.put("canary", "rate-" + rate + "-missed", canary.missed());
                    report.put("canary", "rate-" + rate + "-cpu-cores", cpu);
                    report.md(String.format(Locale.ROOT, "| %d | %.0f | %d | %.0f | %.2f |", rate, sent, canary.missed(),
                            observed, cpu));
                }
            }
            if (longRunEvents > 0) {
                int rate = rates.get(rates.size() - 1);
                CanarySpec spec = new CanarySpec(in, out, (double) rate, 1, 16, Duration.ofSeconds(30), null, null, null);
                long before = heapAfterGc();
                try (CanaryWorkload canary = new CanaryWorkload(bootstrap, "bench-long", spec, Clock.systemUTC())) {
                    long t0 = System.nanoTime();
                    canary.start();
                    long lastReport = t0;
                    long lastFold = t0;
                    while (canary.sentCount() < longRunEvents) {
                        Thread.sleep(200);
                        if (System.nanoTime() - lastFold > FOLD_EVERY.toNanos()) {
                            // As a game-day does: every 5 s, what is older than 30 s.
                            lastFold = System.nanoTime();
                            canary.fold(List.of(), Instant.now().minus(FOLD_HORIZON));
                        }
                        if (System.nanoTime() - lastReport > 10_000_000_000L) {
                            lastReport = System.nanoTime();
                            System.err.printf(Locale.ROOT, "canary long run: %d of %d sent, %d folded, heap %d MB, "
                                            + "rss %d MB%n", canary.sentCount(), longRunEvents, canary.foldedCount(),
                                    heapUsed() >> 20, rssKb() >> 10);
                        }
                    }
                    canary.stopProducing();
                    canary.drain(Duration.ofSeconds(60));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long events = canary.sentCount();
                    long retained = heapAfterGc() - before;
                    long rssKb = rssKb();
                    report.put("canary", "long-run-events", events);
                    report.put("canary", "long-run-retained-bytes-per-event", (double) retained / events);
                    report.put("canary", "long-run-rss-mb", rssKb / 1024.0);
                    report.put("canary", "long-run-folded", canary.foldedCount());
                    report.md(String.format(Locale.ROOT, "%nLong run at %d/s: %d canaries sent and observed in %.0f s, "
                                    + "%d of them folded into %d stretches as the run went; "
                                    + "retained heap %.1f MB = **%.1f bytes per canary event** (sent and observed); "
                                    + "resident memory of the whole process %.0f MB.", rate, events, seconds,
                            canary.foldedCount(), canary.folded().size(), retained / 1048576.0,
                            (double) retained / events, rssKb / 1024.0));
                    // Verification of that run as the orchestrator does it, and the audit record it would publish.
                    History h = new History("bench-long", canary.sent(), canary.observations(), List.of(),
                            spec.interval(), canary.sendingStoppedAt(), Instant.now(), List.of(), null,
                            List.of(), List.of(), null, canary.folded());
                    Verification v = verify(h);
                    Verifier.Result result = v.result();
                    double verifySeconds = v.seconds();
                    long peak = v.peakHeap();
                    long auditBytes = auditBytes(h);
                    report.put("canary", "long-run-verify-seconds", verifySeconds);
                    report.put("canary", "long-run-verify-peak-heap-mb", peak / 1048576.0);
                    report.put("canary", "long-run-audit-bytes-per-event", (double) auditBytes / events);
                    report.md(String.format(Locale.ROOT, "Verifying it took %.1f s with the heap peaking at %.0f MB "
                                    + "(%d lost, %d duplicated); its audit record would be %.0f MB, %.0f bytes per canary.",
                            verifySeconds, peak / 1048576.0, result.canary().lost(), result.canary().duplicated(),
                            auditBytes / 1048576.0, (double) auditBytes / events));
                }
            }
        } finally {
            relaying.set(false);
            relay.join(10_000);
        }
    }

    /** A verification's result, its time and the heap's peak while it ran (garbage included: a peak, not a need). */
    private record Verification(Verifier.Result result, double seconds, long peakHeap) {
    }

    private static Verification verify(History h) {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        long v0 = System.nanoTime();
        Verifier.Result result = Verifier.verify(h, ChecksSpec.DEFAULTS);
        double seconds = (System.nanoTime() - v0) / 1e9;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Verification(result, seconds, peak);
    }

    /** The length of the history as JSON, counted as it is written (a long run's is beyond any array). */
    static long auditBytes(History h) throws IOException {
        long[] n = new long[1];
        Json.mapper().writeValue(new OutputStream() {
            @Override
            public void write(int b) {
                n[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                n[0] += len;
            }
        }, h);
        return n[0];
    }

    /**
     * Verification at scale without a broker: {@code events} canaries recorded in a {@link CanaryLog}
     * as the workload records them (10,000 a second, each out 200 ms later, once), then verified;
     * reports the heap the log keeps, the verification's time and heap peak, and the audit size.
     */
    static void verifyAtScale(long events, int rate, Report report) throws Exception {
        long before = heapAfterGc();
        CanaryLog log = new CanaryLog("scale:", 16);
        Instant t0 = Instant.parse("2026-11-25T00:00:00Z");
        long step = 1_000_000_000L / rate;
        Duration interval = Duration.ofNanos(step);
        int inFlight = rate / 5;
        long foldEvery = FOLD_EVERY.toNanos() / interval.toNanos();
        for (long seq = 0; seq < events; seq++) {
            Instant at = t0.plusNanos(seq * step);
            log.sent(seq, at);
            log.acknowledged(seq, at.plusMillis(2), 0, seq);
            // Results come out 200 ms after sending, in order; the log folds as a game-day's does.
            if (seq >= inFlight) {
                long out = seq - inFlight;
                log.observed("scale:" + out, t0.plusNanos(out * step).plusMillis(200), 0, out, "listener-1", out);
            }
            if (seq % (3600L * rate) == 0 && seq > 0) {
                System.err.printf(Locale.ROOT, "verify-scale: %d of %d canaries recorded, %d kept whole, heap %d MB%n",
                        seq, events, log.kept(), heapUsed() >> 20);
            }
            if (seq > 0 && seq % foldEvery == 0) {
                log.fold(List.of(), at.minus(FOLD_HORIZON), Duration.ofSeconds(1), interval);
            }
        }
        for (long out = Math.max(0, events - inFlight); out < events; out++) {
            log.observed("scale:" + out, t0.plusNanos(out * step).plusMillis(200), 0, out, "listener-1", out);
        }
        long kept = heapAfterGc() - before;
        Instant stopped = t0.plusNanos(events * step);
        History h = new History("scale", log.sent(), log.observations(), List.of(), interval, stopped,
                stopped.plusSeconds(5), List.of(), Map.of(0, events), List.of(), List.of(), null, log.folded());
        // At the end, knowing the end, the orchestrator folds what it can before judging and publishing.
        h = Fold.fold(h, Duration.ofSeconds(1));
        Verification v = verify(h);
        Verifier.Result result = v.result();
        double seconds = v.seconds();
        long peak = v.peakHeap();
        long audit = auditBytes(h);
        String tag = "scale-" + events + (rate == 10_000 ? "" : "-at-" + rate);
        report.put("canary", tag + "-log-bytes-per-event", (double) kept / events);
        report.put("canary", tag + "-verify-seconds", seconds);
        report.put("canary", tag + "-verify-peak-heap-mb", peak / 1048576.0);
        report.put("canary", tag + "-audit-bytes", audit);
        report.put("canary", tag + "-kept-whole", h.sent().size());
        report.put("canary", tag + "-stretches", h.folded().size());
        report.md(String.format(Locale.ROOT, "%nVerification at scale, %d canaries at %d/s recorded in the log (no broker), "
                        + "folded as they go and at the end (%d kept whole, %d stretches): the log keeps %.2f bytes per canary "
                        + "(%.1f MB); verifying took %.2f s with the heap peaking at %.0f MB (%d sent, %d lost, "
                        + "%d duplicated, %d checks); the audit record would be %.1f MB.", events, rate, h.sent().size(),
                h.folded().size(), (double) kept / events, kept / 1048576.0, seconds, peak / 1048576.0,
                result.canary().sent(), result.canary().lost(), result.canary().duplicated(), result.checks().size(),
                audit / 1048576.0));
    }

    private static void relay(String bootstrap, String in, String out, AtomicBoolean relaying, AtomicLong relayed) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-relay");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            consumer.subscribe(List.of(in));
            while (relaying.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(out, null, r.key(), r.value(), r.headers()));
                    relayed.incrementAndGet();
                }
            }
        }
    }

    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return heapUsed();
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}

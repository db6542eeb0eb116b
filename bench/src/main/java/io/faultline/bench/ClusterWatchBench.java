package io.faultline.bench;

import io.faultline.broker.EmbeddedCluster;
import io.faultline.engine.RunWatches;
import io.faultline.kafka.Clients;
import io.faultline.protocol.KafkaConnection;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What watching the cluster costs (the Kafka figures in a verdict): on a three-node KRaft
 * cluster, the same watches a run keeps (the canary topics and the quorum every 250 ms, the
 * system's group every 500 ms) run for one phase, beside a phase with no watch; measured are the
 * watch's own CPU (its scheduler threads and its Admin client's network thread), the Admin
 * requests it sent a second (the client's own {@code request-total}), and the brokers' CPU in
 * each phase.
 */
final class ClusterWatchBench {
    private ClusterWatchBench() {
    }

    static void run(Path dir, Duration phase, Report report) throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.start(dir.resolve("watch-cluster"), 3, 0);
             Admin setup = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     (Object) cluster.bootstrapServers()))) {
            String bootstrap = cluster.bootstrapServers();
            setup.createTopics(List.of(new NewTopic("orders", 3, (short) 3), new NewTopic("orders.processed", 3,
                    (short) 3))).all().get(60, TimeUnit.SECONDS);
            AtomicBoolean stop = new AtomicBoolean();
            Thread member = new Thread(() -> consume(bootstrap, stop), "bench-group-member");
            member.start();
            try {
                awaitStable(setup);
                long idleStart = brokersCpuNanos(cluster);
                Thread.sleep(phase.toMillis());
                double idleBrokers = (brokersCpuNanos(cluster) - idleStart) / 1e6 / phase.toSeconds();

                try (Admin watch = Clients.watchAdmin(new KafkaConnection(bootstrap, Map.of()))) {
                    long watchStart = watchCpuNanos();
                    double requestsStart = requests(watch);
                    long brokersStart = brokersCpuNanos(cluster);
                    long t0 = System.nanoTime();
                    String kept;
                    try (RunWatches watches = new RunWatches(watch, List.of("orders", "orders.processed"),
                            "bench-group", "orders")) {
                        Thread.sleep(phase.toMillis());
                        kept = watches.kept();
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double watchMs = (watchCpuNanos() - watchStart) / 1e6 / seconds;
                    double perSecond = (requests(watch) - requestsStart) / seconds;
                    double watchedBrokers = (brokersCpuNanos(cluster) - brokersStart) / 1e6 / seconds;
                    String section = "cluster-watch";
                    report.put(section, "phaseSeconds", phase.toSeconds());
                    report.put(section, "clusterIntervalMs", RunWatches.clusterIntervalMs());
                    report.put(section, "groupIntervalMs", RunWatches.groupIntervalMs());
                    report.put(section, "watchCpuMsPerSecond", round(watchMs));
                    report.put(section, "adminRequestsPerSecond", round(perSecond));
                    report.put(section, "brokersCpuMsPerSecondIdle", round(idleBrokers));
                    report.put(section, "brokersCpuMsPerSecondWatched", round(watchedBrokers));
                    report.md("\n## Cost of watching the cluster\n");
                    report.md("Three KRaft nodes on this host, topics `orders` and `orders.processed` (3 partitions, "
                            + "replication 3), one group member; the watches a run keeps (" + kept + " in "
                            + phase.toSeconds() + " s), beside a phase of " + phase.toSeconds() + " s without.\n");
                    report.md("| figure | value |\n|---|---|");
                    report.md("| sampling | topics and quorum every " + RunWatches.clusterIntervalMs()
                            + " ms, group every " + RunWatches.groupIntervalMs() + " ms |");
                    report.md("| watch CPU (its threads and its Admin client's) | " + round(watchMs)
                            + " ms per second (" + round(watchMs / 10) + " % of one core) |");
                    report.md("| Admin requests sent | " + round(perSecond) + " per second |");
                    report.md("| brokers' CPU, three nodes together, without the watch | " + round(idleBrokers)
                            + " ms per second |");
                    report.md("| brokers' CPU with the watch | " + round(watchedBrokers) + " ms per second ("
                            + String.format(Locale.ROOT, "%+.1f", watchedBrokers - idleBrokers) + ") |");
                    System.out.printf("cluster watch: %.1f ms CPU/s, %.1f Admin requests/s; brokers %.1f -> %.1f ms"
                            + " CPU/s%n", watchMs, perSecond, idleBrokers, watchedBrokers);
                }
            } finally {
                stop.set(true);
                member.join(10_000);
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void consume(String bootstrap, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-group");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of("orders"));
            while (!stop.get()) {
                c.poll(Duration.ofMillis(200));
            }
        }
    }

    private static void awaitStable(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                var d = admin.describeConsumerGroups(List.of("bench-group")).all().get(10, TimeUnit.SECONDS)
                        .get("bench-group");
                if (d.groupState() == GroupState.STABLE && !d.members().isEmpty()) {
                    return;
                }
            } catch (ExecutionException e) {
                // Not there yet: the member has not joined.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("bench-group did not become stable within 120 s");
    }

    private static long brokersCpuNanos(EmbeddedCluster cluster) {
        long total = 0;
        for (int id = 1; id <= cluster.size(); id++) {
            total += cluster.node(id).info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return total;
    }

    /** CPU of the watch's scheduler threads and of its Admin client's network thread. */
    private static long watchCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo t : mx.dumpAllThreads(false, false)) {
            String n = t.getThreadName();
            if (n.startsWith("cluster-watch") || n.startsWith("assignments")
                    || n.contains("faultline-orchestrator-watch")) {
                long cpu = mx.getThreadCpuTime(t.getThreadId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }

    private static double requests(Admin admin) {
        double n = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : admin.metrics().entrySet()) {
            if (e.getKey().name().equals("request-total") && e.getKey().group().equals("admin-client-metrics")) {
                n += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return n;
    }
}

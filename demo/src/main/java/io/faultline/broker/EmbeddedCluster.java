package io.faultline.broker;

import io.faultline.demo.ChildJvm;
import io.faultline.engine.InfrastructureException;
import io.faultline.engine.KafkaClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft Kafka cluster of several nodes (each a combined broker and controller, in its own
 * child JVM) on loopback: replication factor 3 (at most the node count) and
 * {@code min.insync.replicas} one less for every topic, internal ones included, so a test can kill
 * a broker mid-game-day and see the cluster carry on.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedCluster.class);

    /** Each node logs warnings, and when it became a partition's leader (the broker's own account of an election). */
    private static final List<String> JVM = List.of("-Xmx384m", "-Dfaultline.log.level=WARN",
            "-Dfaultline.kafka.partition.log.level=INFO");
    private final Path dir;
    private final List<Integer> ports;
    private final List<Process> nodes;
    private final String host;

    private EmbeddedCluster(Path dir, String host, List<Integer> ports, List<Process> nodes) {
        this.dir = dir;
        this.host = host;
        this.ports = List.copyOf(ports);
        this.nodes = nodes;
    }

    /**
     * Formats and starts {@code count} nodes under {@code dir}; the first listens on {@code port}
     * (0: a free one), the others on free ports.
     */
    public static EmbeddedCluster start(Path dir, int count, int port)
            throws IOException, InfrastructureException, InterruptedException {
        return start(dir, count, port, "127.0.0.1");
    }

    /**
     * As {@link #start(Path, int, int)}, with the nodes' client listeners on {@code host} (an
     * address of this machine); the controllers' quorum stays on loopback.
     */
    public static EmbeddedCluster start(Path dir, int count, int port, String host)
            throws IOException, InfrastructureException, InterruptedException {
        if (count < 1 || count > 9) {
            throw new IllegalArgumentException("--brokers " + count + ": between 1 and 9");
        }
        Files.createDirectories(dir);
        List<Integer> ports = new ArrayList<>();
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(i == 0 && port != 0 ? port : EmbeddedKafka.freePort());
            controllers.add(EmbeddedKafka.freePort());
        }
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            voters.add((i + 1) + "@127.0.0.1:" + controllers.get(i));
        }
        int rf = Math.min(3, count);
        String minIsr = Integer.toString(Math.max(1, rf - 1));
        String clusterId = Uuid.randomUuid().toString();
        List<Process> nodes = new ArrayList<>();
        EmbeddedCluster cluster = new EmbeddedCluster(dir, host, ports, nodes);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "embedded-cluster-stop"));
        List<String> jvm = JVM;
        for (int i = 0; i < count; i++) {
            Path node = dir.resolve("node-" + (i + 1));
            Files.createDirectories(node);
            Path props = node.resolve("server.properties");
            Files.writeString(props, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=" + (i + 1),
                    "controller.quorum.voters=" + String.join(",", voters),
                    "listeners=PLAINTEXT://" + host + ":" + ports.get(i) + ",CONTROLLER://127.0.0.1:" + controllers.get(i),
                    "advertised.listeners=PLAINTEXT://" + host + ":" + ports.get(i),
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + node.resolve("data").toAbsolutePath(),
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "default.replication.factor=" + rf,
                    "min.insync.replicas=" + minIsr,
                    "offsets.topic.replication.factor=" + rf,
                    "offsets.topic.num.partitions=1",
                    "transaction.state.log.replication.factor=" + rf,
                    "transaction.state.log.min.isr=" + minIsr,
                    "transaction.state.log.num.partitions=1",
                    "share.coordinator.state.topic.replication.factor=" + rf,
                    "share.coordinator.state.topic.min.isr=" + minIsr,
                    "group.initial.rebalance.delay.ms=0",
                    "group.min.session.timeout.ms=1000",
                    "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
                    // A frozen node is fenced (its partitions led elsewhere) 6 s after its last heartbeat, not 9 s.
                    "broker.session.timeout.ms=6000",
                    "broker.heartbeat.interval.ms=1500",
                    "") + "\n");
            Path logFile = node.resolve("broker.log");
            Process format = ChildJvm.start("kafka.tools.StorageTool", jvm,
                    List.of("format", "-t", clusterId, "-c", props.toString()), logFile);
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                cluster.close();
                throw new InfrastructureException("cannot format Kafka storage in " + node + "; see " + logFile);
            }
        }
        for (int i = 0; i < count; i++) {
            Path node = dir.resolve("node-" + (i + 1));
            nodes.add(ChildJvm.start("kafka.Kafka", jvm, List.of(node.resolve("server.properties").toString()),
                    node.resolve("broker.log")));
        }
        cluster.awaitReady(count, Duration.ofSeconds(120));
        log.info("embedded Kafka cluster of {} ready at {} (data and logs in {})", count, cluster.bootstrapServers(), dir);
        return cluster;
    }

    private void awaitReady(int count, Duration timeout) throws InfrastructureException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        try (Admin admin = KafkaClients.admin(bootstrapServers())) {
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (!nodes.get(i).isAlive()) {
                        close();
                        throw new InfrastructureException("Kafka node " + (i + 1) + " exited with code "
                                + nodes.get(i).exitValue() + "; see " + dir.resolve("node-" + (i + 1)).resolve("broker.log"));
                    }
                }
                try {
                    int seen = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
                    if (seen == count) {
                        return;
                    }
                    last = seen + " of " + count + " brokers registered";
                } catch (ExecutionException | TimeoutException e) {
                    last = "no answer";
                }
                Thread.sleep(200);
            }
        }
        close();
        throw new InfrastructureException("the embedded Kafka cluster did not start within " + timeout.toSeconds() + " s ("
                + last + "); see the logs in " + dir);
    }

    /** Every node's address, comma-separated. */
    public String bootstrapServers() {
        return String.join(",", ports.stream().map(p -> host + ":" + p).toList());
    }

    /**
     * Starts node {@code id} again after it was killed, on its own data and ports, and waits until
     * every node is registered; returns its new process.
     */
    public synchronized ProcessHandle restart(int id) throws IOException, InfrastructureException, InterruptedException {
        if (nodes.get(id - 1).isAlive()) {
            throw new IllegalStateException("node " + id + " is still running");
        }
        Path node = dir.resolve("node-" + id);
        nodes.set(id - 1, ChildJvm.start("kafka.Kafka", JVM, List.of(node.resolve("server.properties").toString()),
                node.resolve("broker.log")));
        awaitReady(nodes.size(), Duration.ofSeconds(120));
        return node(id);
    }

    /** How many nodes: their ids are 1 to this. */
    public int size() {
        return nodes.size();
    }

    /** The process of node {@code id} (1-based), for a test or an agent to kill. */
    public ProcessHandle node(int id) {
        return nodes.get(id - 1).toHandle();
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        nodes.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
    }
}

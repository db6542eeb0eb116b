package io.faultline.broker;

import io.faultline.demo.ChildJvm;
import io.faultline.engine.InfrastructureException;
import io.faultline.engine.KafkaClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) in a child JVM, on free
 * loopback ports, with settings for a fast start and fast failover tests. Needs nothing but the
 * Kafka server jars on Faultline's classpath.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dir;
    private final String host;
    private final int port;
    private final Process process;

    /** Extra client listeners by name, each with its port, beside PLAINTEXT. */
    private final Map<String, Integer> extraPorts = new LinkedHashMap<>();

    /**
     * A client listener besides PLAINTEXT, e.g. {@code new Listener("SASL_SSL", "SASL_SSL")}; its
     * settings go in the extra server properties as {@code listener.name.<lower-case name>.*}.
     */
    public record Listener(String name, String protocol) {
    }

    private EmbeddedKafka(Path dir, String host, int port, Process process) {
        this.dir = dir;
        this.host = host;
        this.port = port;
        this.process = process;
    }

    /** Formats storage under {@code dir}, starts the broker and waits until it answers. */
    public static EmbeddedKafka start(Path dir) throws IOException, InfrastructureException, InterruptedException {
        return start(dir, "127.0.0.1");
    }

    /** As {@link #start(Path)}, with the client listener on {@code host} (an address of this machine). */
    public static EmbeddedKafka start(Path dir, String host) throws IOException, InfrastructureException,
            InterruptedException {
        return start(dir, host, 0);
    }

    /**
     * As {@link #start(Path, String)}, with the client listener on {@code port} (0: a free one).
     *
     * @throws InfrastructureException when the port is taken
     */
    public static EmbeddedKafka start(Path dir, String host, int port) throws IOException, InfrastructureException,
            InterruptedException {
        return start(dir, host, port, List.of(), Map.of());
    }

    /**
     * As {@link #start(Path, String, int)}, with more client listeners (TLS, SASL) on free ports and
     * more server properties; PLAINTEXT stays for the broker's own traffic and for setting up.
     */
    public static EmbeddedKafka start(Path dir, String host, int port, List<Listener> extra,
                                      Map<String, String> properties)
            throws IOException, InfrastructureException, InterruptedException {
        Files.createDirectories(dir);
        if (port != 0) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(host, port));
            } catch (IOException e) {
                throw new InfrastructureException("port " + port + " on " + host + " is taken: " + e.getMessage()
                        + " (give another --port, or none for a free one)");
            }
        } else {
            port = freePort();
        }
        int controllerPort = freePort();
        Map<String, Integer> extraPorts = new LinkedHashMap<>();
        StringBuilder listeners = new StringBuilder();
        StringBuilder advertised = new StringBuilder();
        StringBuilder protocols = new StringBuilder();
        for (Listener l : extra) {
            int p = freePort();
            extraPorts.put(l.name(), p);
            listeners.append(",").append(l.name()).append("://").append(host).append(":").append(p);
            advertised.append(",").append(l.name()).append("://").append(host).append(":").append(p);
            protocols.append(",").append(l.name()).append(":").append(l.protocol());
        }
        Path props = dir.resolve("server.properties");
        List<String> more = new ArrayList<>();
        properties.forEach((k, v) -> more.add(k + "=" + v));
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort + listeners,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port + advertised,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + protocols,
                String.join("\n", more),
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Let demo and test consumers use short session timeouts, and abort the open
                // transactions of crashed producers promptly.
                "group.min.session.timeout.ms=1000",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
                "") + "\n");
        Path logFile = dir.resolve("broker.log");
        List<String> jvm = List.of("-Xmx512m", "-Dfaultline.log.level=WARN");
        Process format = ChildJvm.start("kafka.tools.StorageTool", jvm,
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", props.toString()), logFile);
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new InfrastructureException("cannot format Kafka storage in " + dir + "; see " + logFile);
        }
        Process broker = ChildJvm.start("kafka.Kafka", jvm, List.of(props.toString()), logFile);
        EmbeddedKafka kafka = new EmbeddedKafka(dir, host, port, broker);
        kafka.extraPorts.putAll(extraPorts);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-stop"));
        kafka.awaitReady(Duration.ofSeconds(90));
        log.info("embedded Kafka broker ready at {} (data and log in {})", kafka.bootstrapServers(), dir);
        return kafka;
    }

    private void awaitReady(Duration timeout) throws InfrastructureException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = KafkaClients.admin(bootstrapServers())) {
            while (true) {
                if (!process.isAlive()) {
                    throw new InfrastructureException("the embedded Kafka broker exited with code " + process.exitValue()
                            + "; see " + dir.resolve("broker.log"));
                }
                try {
                    KafkaClients.checkReachable(admin, bootstrapServers(), Duration.ofSeconds(2));
                    return;
                } catch (InfrastructureException e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new InfrastructureException("the embedded Kafka broker did not start within "
                                + timeout.toSeconds() + " s; see " + dir.resolve("broker.log"));
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** The address of the extra listener {@code name}. */
    public String address(String name) {
        Integer p = extraPorts.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no listener " + name + " (have " + extraPorts.keySet() + ")");
        }
        return host + ":" + p;
    }

    public Path directory() {
        return dir;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        ChildJvm.stop(process, Duration.ofSeconds(10));
    }
}

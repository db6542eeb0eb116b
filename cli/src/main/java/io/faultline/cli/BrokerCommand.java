package io.faultline.cli;

import io.faultline.broker.EmbeddedCluster;
import io.faultline.broker.EmbeddedKafka;
import io.faultline.demo.BrokerAgents;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline broker}: a local Kafka broker or cluster for trying Faultline out, with agents beside its nodes. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Start a local KRaft Kafka cluster (one node, or --brokers N) on loopback, or on the address "
                        + "--listen names, and print its address.",
                "With --agents, Faultline's topics are created and an agent starts beside each node (labels "
                        + "role=broker, node-id=N) plus one with the Kafka Admin role (role=kafka-admin), so broker "
                        + "picks and Kafka faults run from the CLI.",
                "Exit codes: 0 stopped with Ctrl-C, 2 bad option, 3 the port is taken or the broker did not start."})
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Data directory, kept when the broker stops (default: a new temporary "
            + "directory, deleted when it stops).")
    Path dir;

    @Option(names = "--brokers", defaultValue = "1",
            description = "Nodes in the cluster (default: ${DEFAULT-VALUE}); with 3, topics are replicated 3 times with "
                    + "min.insync.replicas 2, so a broker can be killed.")
    int brokers;

    @Option(names = "--port", defaultValue = "0",
            description = "Client port, so every shell can use the same address (default: a free port).")
    int port;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address of this machine the brokers listen on and advertise, e.g. a bridge that network "
                    + "namespaces or containers reach (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--agents",
            description = "Start an agent beside each node and one Kafka Admin agent; needs --public-key.")
    boolean agents;

    @Option(names = "--public-key", paramLabel = "FILE|DIR",
            description = "With --agents: the public key (or directory of *.pub) the agents trust, as for "
                    + "'faultline agent'; make one with 'faultline keys generate --key-id KEYID'.")
    Path publicKey;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** What runs from the data directory, newest first: stopped before a temporary directory is deleted. */
    private final Deque<AutoCloseable> running = new ConcurrentLinkedDeque<>();

    private <T extends AutoCloseable> T running(T started) {
        running.push(started);
        return started;
    }

    private void closeAll() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception e) {
                // Stopping anyway; what is left is deleted with the directory.
            }
        }
    }

    /** Deletes {@code root} and everything under it, as far as it can. */
    static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Left behind: a temporary directory the system cleans in time.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Gone already, or not readable: nothing more to do.
        }
    }

    private void announce(String bootstrap, String logs) {
        spec.commandLine().getOut().println("bootstrap.servers=" + bootstrap);
        spec.commandLine().getOut().println("Broker log: " + logs + " (Ctrl-C stops it)");
        spec.commandLine().getOut().flush();
    }

    @Override
    public Integer call() throws Exception {
        Path data = dir != null ? dir : Files.createTempDirectory("faultline-broker-");
        if (dir == null) {
            // Ctrl-C ends this JVM: stop what runs from the directory first, then delete it.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                closeAll();
                deleteTree(data);
            }, "broker-data-delete"));
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port " + port
                    + ": not a port (1-65535, or 0 for a free one)");
        }
        if (brokers < 1 || brokers > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers
                    + ": between 1 and 9");
        }
        String whyNot = Addresses.whyNotLocal(listen);
        if (whyNot != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + listen + ": " + whyNot);
        }
        if (agents && publicKey == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--agents needs --public-key: the key the "
                    + "agents trust (make one with 'faultline keys generate --key-id KEYID')");
        }
        if (!agents && publicKey != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--public-key is for --agents");
        }
        if (agents) {
            try (EmbeddedCluster cluster = running(EmbeddedCluster.start(data, brokers, port, listen))) {
                try (Admin admin = KafkaClients.admin(cluster.bootstrapServers())) {
                    KafkaClients.ensureFaultlineTopics(admin, Topics.defaults());
                }
                Map<Integer, ProcessHandle> nodes = new LinkedHashMap<>();
                for (int i = 1; i <= cluster.size(); i++) {
                    nodes.put(i, cluster.node(i));
                }
                try (BrokerAgents started = running(BrokerAgents.start(cluster.bootstrapServers(), nodes, publicKey,
                        data.resolve("agents")))) {
                    announce(cluster.bootstrapServers(), data.resolve("node-N").resolve("broker.log")
                            + " (one per node)");
                    spec.commandLine().getOut().println("Agents: " + String.join(", ", started.ids()) + " (logs in "
                            + data.resolve("agents") + "; their telemetry keys: --agent-keys " + started.agentKeys() + ")");
                    spec.commandLine().getOut().flush();
                    new CountDownLatch(1).await();
                }
            }
        } else if (brokers == 1) {
            try (EmbeddedKafka kafka = running(EmbeddedKafka.start(data, listen, port))) {
                announce(kafka.bootstrapServers(), data.resolve("broker.log").toString());
                new CountDownLatch(1).await();
            }
        } else {
            try (EmbeddedCluster cluster = running(EmbeddedCluster.start(data, brokers, port, listen))) {
                announce(cluster.bootstrapServers(), data.resolve("node-N").resolve("broker.log") + " (one per node)");
                new CountDownLatch(1).await();
            }
        }
        return 0;
    }
}

package io.faultline.demo;

import io.faultline.engine.InfrastructureException;
import io.faultline.examples.DeliveryMode;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.GroupState;

/**
 * The demo's system under test: N order-listener processes in one consumer group, each with an
 * agent process beside it ({@code agent-N}, labels {@code role=listener} and
 * {@code client-id=listener-N}, acting on {@code listener-N.pid}). Logs go to the work directory.
 */
public final class DemoCluster implements AutoCloseable {
    /** The id of the demo's signing key, under {@code <work>/keys}. */
    public static final String KEY_ID = "demo";

    private final List<Process> listeners = new ArrayList<>();
    private final List<Process> agents = new ArrayList<>();
    private final Path workDir;

    /**
     * Listener settings. A short session timeout makes a crashed member's partitions move within
     * seconds; production consumers use longer ones (45 s by default).
     */
    public record ListenerSettings(String mode, String group, String input, String output, Duration processing,
                                   Duration sessionTimeout, Duration transactionTimeout, Duration commitInterval,
                                   String groupProtocol) {
        public ListenerSettings(String mode, String group, String input, String output, Duration processing,
                                Duration sessionTimeout, Duration transactionTimeout, Duration commitInterval) {
            this(mode, group, input, output, processing, sessionTimeout, transactionTimeout, commitInterval, "classic");
        }

        public static ListenerSettings demo(String mode, String group, String input, String output) {
            return new ListenerSettings(mode, group, input, output, Duration.ofMillis(200), Duration.ofSeconds(3),
                    Duration.ofSeconds(3), Duration.ofSeconds(1));
        }

        /** The same, with the group on {@code protocol}: {@code classic}, or {@code consumer} (KIP-848). */
        public ListenerSettings groupProtocol(String protocol) {
            return new ListenerSettings(mode, group, input, output, processing, sessionTimeout, transactionTimeout,
                    commitInterval, protocol);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The example listener's delivery mode named on the command line, in its canonical spelling. */
    public static String deliveryMode(String name) {
        return DeliveryMode.fromCli(name).cliName();
    }

    private DemoCluster(Path workDir) {
        this.workDir = workDir;
    }

    public static DemoCluster start(String bootstrapServers, int count, ListenerSettings s, Path workDir)
            throws IOException {
        return start(bootstrapServers, count, s, workDir, "");
    }

    /** As {@link #start(String, int, ListenerSettings, Path)}, with {@code prefix} before every listener and agent name. */
    public static DemoCluster start(String bootstrapServers, int count, ListenerSettings s, Path workDir, String prefix)
            throws IOException {
        return start(bootstrapServers, null, count, s, workDir, prefix);
    }

    /**
     * As above, with every listener and agent reaching Kafka with the client settings in
     * {@code commandConfig} (TLS, SASL); null for none.
     */
    public static DemoCluster start(String bootstrapServers, Path commandConfig, int count, ListenerSettings s,
                                    Path workDir, String prefix) throws IOException {
        return start(bootstrapServers, commandConfig, count, s, workDir, prefix, false, Placement.HERE);
    }

    /**
     * Where each listener and its agent run, and what each listener is given besides: the
     * launcher words put before {@code java} for listener {@code name} (e.g. {@code ip netns exec
     * NS}), and extra listener options (e.g. {@code --redis ADDR}); with {@code --telemetry-topic}
     * each listener also gets a telemetry key of its own in {@link #agentKeys()}.
     */
    public record Placement(Function<String, List<String>> launcher, List<String> listenerOptions) {
        /** Every process on this host, as it is. */
        public static final Placement HERE = new Placement(name -> List.of(), List.of());
    }

    /** As {@link #start(String, int, ListenerSettings, Path)}, each listener and its agent placed by {@code where}. */
    public static DemoCluster start(String bootstrapServers, int count, ListenerSettings s, Path workDir,
                                    Placement where) throws IOException {
        return start(bootstrapServers, null, count, s, workDir, "", false, where);
    }

    /**
     * As {@link #start(String, int, ListenerSettings, Path, String)}, with each listener started and
     * supervised by its agent ({@code faultline agent --exec}), as a container beside its sidecar:
     * a kill with {@code restart: true} starts it again on heal.
     */
    public static DemoCluster startSupervised(String bootstrapServers, int count, ListenerSettings s, Path workDir,
                                              String prefix) throws IOException {
        return start(bootstrapServers, null, count, s, workDir, prefix, true, Placement.HERE);
    }

    private static DemoCluster start(String bootstrapServers, Path commandConfig, int count, ListenerSettings s,
                                     Path workDir, String prefix, boolean supervised, Placement where)
            throws IOException {
        List<String> clientConfig = commandConfig == null ? List.of()
                : List.of("--command-config", commandConfig.toAbsolutePath().toString());
        Files.createDirectories(workDir);
        DemoCluster c = new DemoCluster(workDir);
        Path keys = workDir.resolve("keys");
        if (!Files.exists(keys.resolve(KEY_ID + KeyFiles.PRIVATE_SUFFIX))) {
            KeyFiles.generate(keys, KEY_ID);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(c::close, "demo-cluster-stop"));
        for (int i = 1; i <= count; i++) {
            String name = prefix + "listener-" + i;
            String agent = prefix + "agent-" + i;
            Path pid = workDir.resolve(name + ".pid");
            List<String> listener = concat(List.of(
                    "--bootstrap-servers", bootstrapServers, "--mode", s.mode(), "--instance", name,
                    "--group", s.group(), "--input", s.input(), "--output", s.output(),
                    "--processing-ms", Long.toString(s.processing().toMillis()),
                    "--session-timeout-ms", Long.toString(s.sessionTimeout().toMillis()),
                    "--transaction-timeout-ms", Long.toString(s.transactionTimeout().toMillis()),
                    "--commit-interval-ms", Long.toString(s.commitInterval().toMillis()),
                    "--group-protocol", s.groupProtocol(), "--pid-file", pid.toString()),
                    concat(where.listenerOptions(), clientConfig));
            if (where.listenerOptions().contains("--telemetry-topic")) {
                // A listener that reports on telemetry signs it, with a key beside its agent's.
                listener = concat(listener, List.of("--telemetry-key", telemetryKey(c.agentKeys(), name).toString()));
            }
            List<String> launcher = where.launcher().apply(name);
            List<String> service;
            if (supervised) {
                // The agent runs it, logging beside its own, and stops it when it stops.
                service = concat(List.of("--exec", "--"), ChildJvm.command("io.faultline.examples.OrderListenerMain",
                        List.of("-Xmx128m"), listener));
            } else {
                c.listeners.add(ChildJvm.start(launcher, "io.faultline.examples.OrderListenerMain", List.of("-Xmx128m"),
                        concat(listener, List.of("--exit-with-parent")), workDir.resolve(name + ".log")));
                service = List.of("--service-pid-file", pid.toString());
            }
            List<String> agentArgs = concat(List.of(
                    "agent", "--id", agent, "--label", "role=listener", "--label", "client-id=" + name,
                    "--bootstrap-servers", bootstrapServers,
                    "--public-key", keys.resolve(KEY_ID + KeyFiles.PUBLIC_SUFFIX).toString(),
                    "--state-dir", workDir.resolve("state").resolve(agent).toString(),
                    "--telemetry-key", telemetryKey(c.agentKeys(), agent).toString(),
                    "--heartbeat-interval-ms", "500", "--exit-with-parent"), clientConfig);
            // The service's command comes last: after --, everything is its own.
            c.agents.add(ChildJvm.start(launcher, "io.faultline.cli.Faultline", List.of("-Xmx96m"), concat(agentArgs, service),
                    workDir.resolve(agent + ".log")));
        }
        return c;
    }

    /**
     * Where the agents' telemetry keys are (ID.key and ID.pub, one pair per agent): the directory a
     * run is given as {@code --agent-keys} to believe only what these agents signed.
     */
    public Path agentKeys() {
        return workDir.resolve("agent-keys");
    }

    /** The private telemetry key of agent {@code id} in {@code dir}, issued now if it has none. */
    static Path telemetryKey(Path dir, String id) throws IOException {
        Path key = dir.resolve(id + KeyFiles.PRIVATE_SUFFIX);
        if (!Files.exists(key)) {
            Files.deleteIfExists(dir.resolve(id + KeyFiles.PUBLIC_SUFFIX));
            KeyFiles.generate(dir, id);
        }
        return key.toAbsolutePath();
    }

    /** Waits until {@code members} consumers are in the group and own its partitions. */
    public void awaitGroup(Admin admin, String group, int members, Duration timeout)
            throws InfrastructureException, InterruptedException {
        awaitGroup(admin, group, members, timeout, listeners, workDir);
    }

    /** As above, for listeners started elsewhere; fails early if one of {@code listeners} exits. */
    public static void awaitGroup(Admin admin, String group, int members, Duration timeout, List<Process> listeners,
                                  Path logs) throws InfrastructureException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "unknown";
        while (System.nanoTime() < deadline) {
            if (listeners.stream().anyMatch(p -> !p.isAlive())) {
                throw new InfrastructureException("a listener exited; see the logs in " + logs);
            }
            try {
                var d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
                state = d.groupState() + " with " + d.members().size() + " members";
                boolean owned = d.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
                if (d.members().size() >= members && owned
                        && d.groupState() == GroupState.STABLE) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                state = String.valueOf(e.getCause());
            }
            Thread.sleep(250);
        }
        throw new InfrastructureException("the listeners did not form group " + group + " within "
                + timeout.toSeconds() + " s (" + state + "); see the logs in " + logs);
    }

    public Path workDir() {
        return workDir;
    }

    /** The key the demo's agents trust; generated in the work directory on first use. */
    public CommandSigner signer() throws IOException {
        return KeyFiles.signer(workDir.resolve("keys").resolve(KEY_ID + KeyFiles.PRIVATE_SUFFIX));
    }

    /** Stops agents first (they undo what they applied), then listeners. */
    @Override
    public synchronized void close() {
        agents.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
        listeners.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
    }
}

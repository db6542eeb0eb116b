package io.faultline.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An agent beside each node of a local cluster, labelled {@code role=broker} and
 * {@code node-id=<node.id>}, holding the node's pid as its service, so that the broker picks
 * ({@code partition-leader}, {@code controller}, {@code broker}) find them; and one agent with
 * the Kafka Admin role ({@code role=kafka-admin}) whose lab policy lets Kafka faults touch any
 * topic, client id, user or group of this cluster. Each agent exits with this process.
 */
public final class BrokerAgents implements AutoCloseable {
    /** The lab's Admin policy: every Kafka fault type on anything in this throwaway cluster. */
    static final String ADMIN_POLICY = """
            # A local lab cluster: Kafka faults may touch any topic, client id and user.
            faults: [kafka.leader.move, kafka.quota, kafka.min-isr, kafka.group.churn]
            maxLease: 15m
            kafka:
              topics: ["*"]
              clientIds: ["*"]
              users: ["*"]
              groups: ["*"]
            """;

    private final List<Process> agents;
    private final List<String> ids;
    private final Path dir;
    /** Each agent's command line after the main class, to start it again. */
    private final Map<String, List<String>> args = new LinkedHashMap<>();

    private BrokerAgents(List<Process> agents, List<String> ids, Path dir) {
        this.agents = agents;
        this.ids = ids;
        this.dir = dir;
    }

    /**
     * Starts the agents. {@code nodes} maps node id to its process; {@code publicKey} is the key
     * (file or directory) the agents trust; logs, pid files and state go under {@code dir}.
     */
    public static BrokerAgents start(String bootstrap, Map<Integer, ProcessHandle> nodes, Path publicKey, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        List<Process> started = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        BrokerAgents a = new BrokerAgents(started, ids, dir);
        Runtime.getRuntime().addShutdownHook(new Thread(a::close, "broker-agents-stop"));
        for (Map.Entry<Integer, ProcessHandle> n : nodes.entrySet()) {
            String id = "broker-" + n.getKey();
            Path pid = dir.resolve(id + ".pid");
            Files.writeString(pid, Long.toString(n.getValue().pid()));
            started.add(a.agent(id, bootstrap, publicKey, List.of("--label", "role=broker",
                    "--label", "node-id=" + n.getKey(), "--label", "host=127.0.0.1",
                    "--service-pid-file", pid.toString())));
            ids.add(id);
        }
        Path policy = dir.resolve("kafka-admin-policy.yaml");
        Files.writeString(policy, ADMIN_POLICY);
        started.add(a.agent("kafka-admin", bootstrap, publicKey, List.of("--label", "role=kafka-admin",
                "--kafka-admin", "--policy", policy.toString())));
        ids.add("kafka-admin");
        return a;
    }

    private Process agent(String id, String bootstrap, Path publicKey, List<String> more) throws IOException {
        List<String> a = new ArrayList<>(List.of("agent", "--id", id, "--bootstrap-servers", bootstrap,
                "--public-key", publicKey.toAbsolutePath().toString(),
                "--state-dir", dir.resolve("state").resolve(id).toString(), "--heartbeat-interval-ms", "500",
                "--telemetry-key", DemoCluster.telemetryKey(dir.resolve("agent-keys"), id).toString(),
                "--exit-with-parent"));
        a.addAll(more);
        args.put(id, List.copyOf(a));
        return start(id);
    }

    private Process start(String id) throws IOException {
        return ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx96m"), args.get(id), dir.resolve(id + ".log"));
    }

    /** SIGKILLs agent {@code id}, as a crash would: whatever it held stays for its next start to undo. */
    public synchronized void kill(String id) throws IOException, InterruptedException {
        Process p = agents.get(index(id));
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("agent " + id + " did not die within 30 s of SIGKILL");
        }
    }

    /** Starts agent {@code id} again on the same state directory, as a supervisor would after it died. */
    public synchronized void restart(String id) throws IOException {
        int i = index(id);
        if (agents.get(i).isAlive()) {
            throw new IllegalStateException("agent " + id + " still runs");
        }
        agents.set(i, start(id));
    }

    private int index(String id) {
        int i = ids.indexOf(id);
        if (i < 0) {
            throw new IllegalArgumentException("no agent " + id);
        }
        return i;
    }

    /** Points the agent beside node {@code id} at its new process (after the node was started again). */
    public void repoint(int id, ProcessHandle node) throws IOException {
        Files.writeString(dir.resolve("broker-" + id + ".pid"), Long.toString(node.pid()));
    }

    /** Where the agents' telemetry keys are: what a run trusts with {@code --agent-keys}. */
    public Path agentKeys() {
        return dir.resolve("agent-keys");
    }

    /** The agents' ids, in the order started. */
    public List<String> ids() {
        return List.copyOf(ids);
    }

    @Override
    public void close() {
        agents.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
    }
}

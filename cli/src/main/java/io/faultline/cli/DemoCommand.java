package io.faultline.cli;

import io.faultline.broker.EmbeddedCluster;
import io.faultline.broker.EmbeddedKafka;
import io.faultline.demo.BrokerAgents;
import io.faultline.demo.DemoCluster;
import io.faultline.demo.HostDrills;
import io.faultline.engine.AlertSources;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.Topics;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioException;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.scenario.Step;
import io.faultline.scenario.TargetSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code faultline demo}: a complete game-day on this machine. Starts an embedded Kafka broker,
 * three order listeners each with an agent, and runs the primary-listener-crash scenario.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the primary-listener-crash game-day (or --scenario FILE) on an embedded Kafka broker with "
                + "three listeners.",
                "Drills with network or Redis faults run in a lab the demo builds and removes: a network namespace "
                        + "per listener and one for Redis, the broker on their bridge (needs root, ip, iptables, tc "
                        + "and redis-server). A drill the demo cannot run is refused in one sentence saying why.",
                "Exit codes: as 'faultline run' (0 passed, 1 failed, 2 invalid input, 3 infrastructure, 4 aborted)."})
public final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_SCENARIO = "scenarios/primary-listener-crash.yaml";

    @Option(names = "--listener", defaultValue = "exactly-once",
            description = "Delivery mode of the listeners: exactly-once, at-least-once or at-most-once (default: ${DEFAULT-VALUE}).")
    String listener;

    @Option(names = "--scenario", description = "Scenario file (default: the bundled " + DEFAULT_SCENARIO + ").")
    Path scenarioFile;

    @Option(names = {"-b", "--bootstrap-servers"},
            description = "Use this Kafka cluster instead of starting an embedded broker.")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE", defaultValue = "${env:FAULTLINE_COMMAND_CONFIG}",
            description = "With --bootstrap-servers: Kafka client properties (TLS, SASL) for the orchestrator, the "
                    + "listeners and their agents, as Kafka's own tools take them. Env: FAULTLINE_COMMAND_CONFIG.")
    Path commandConfig;

    @Option(names = "--report-dir", defaultValue = "faultline-runs",
            description = "Reports go to DIR/RUN_ID/ (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Option(names = "--listeners", defaultValue = "3", description = "Number of listeners (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--brokers", defaultValue = "1",
            description = "Nodes of the embedded Kafka cluster (default: ${DEFAULT-VALUE}; 3 replicates every topic).")
    int brokers;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    @SuppressWarnings("try") // the broker agents work by being open
    public Integer call() throws Exception {
        String mode = DemoCluster.deliveryMode(listener);
        if (count < 2) {
            throw new IllegalArgumentException("--listeners must be at least 2, so that one can take over");
        }
        Scenario scenario = scenarioFile != null ? ScenarioLoader.load(scenarioFile) : bundledScenario();
        if (scenario.canary() == null) {
            throw new IllegalArgumentException("--scenario " + scenarioFile + ": the demo feeds its order listeners with "
                    + "the scenario's canary, and this scenario has no workload.canary; run it with 'faultline run'");
        }
        int nodeCount = bootstrapServers == null ? brokers : 0;
        boolean hosts = needsHosts(scenario);
        String cannot = cannotRunHere(scenario, nodeCount, hosts ? HostDrills.missing(needsRedis(scenario)) : List.of());
        if (cannot != null) {
            throw new IllegalArgumentException((scenarioFile == null ? "the scenario" : scenarioFile.toString())
                    + " cannot run in the demo: " + cannot);
        }
        if (commandConfig != null && bootstrapServers == null) {
            throw new IllegalArgumentException("--command-config needs --bootstrap-servers: the embedded broker takes "
                    + "plaintext connections only");
        }
        Map<String, String> clientSettings = commandConfig == null ? Map.of() : ClientSettingsFile.load(commandConfig);
        PrintWriter out = spec.commandLine().getOut();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Clock.systemUTC().instant());
        Path work = reportDir.resolve("demo-" + stamp).toAbsolutePath();
        Files.createDirectories(work);
        if (brokers < 1 || brokers > 9) {
            throw new IllegalArgumentException("--brokers " + brokers + ": between 1 and 9");
        }
        AutoCloseable kafka = null;
        EmbeddedCluster nodes = null;
        try {
            String bootstrap = bootstrapServers;
            HostDrills lab = null;
            if (hosts) {
                out.println("Building a lab of " + count + " listener hosts" + (needsRedis(scenario) ? " and a Redis "
                        + "host" : "") + " (network namespaces " + HostDrills.LAYOUT.prefix() + "*, bridge "
                        + HostDrills.LAYOUT.bridge() + ") with a Kafka broker on the bridge ...");
                out.flush();
                lab = HostDrills.open(work, count, needsRedis(scenario));
                kafka = lab;
                bootstrap = lab.bootstrapServers();
                out.println("Kafka ready at " + bootstrap + (lab.redisAddress() == null ? ""
                        : ", Redis at " + lab.redisAddress()));
            } else if (bootstrap == null && brokers == 1) {
                out.println("Starting an embedded Kafka broker ...");
                out.flush();
                EmbeddedKafka single = EmbeddedKafka.start(work.resolve("kafka"));
                kafka = single;
                bootstrap = single.bootstrapServers();
                out.println("Kafka ready at " + bootstrap);
            } else if (bootstrap == null) {
                out.println("Starting an embedded Kafka cluster of " + brokers + " brokers ...");
                out.flush();
                EmbeddedCluster cluster = EmbeddedCluster.start(
                        work.resolve("kafka"), brokers, 0);
                kafka = cluster;
                nodes = cluster;
                bootstrap = cluster.bootstrapServers();
                out.println("Kafka ready at " + bootstrap);
            }
            String group = listenerGroup(scenario);
            var canary = scenario.canary();
            KafkaConnection connection =
                    new KafkaConnection(bootstrap, clientSettings);
            try (Admin admin = KafkaClients.admin(connection)) {
                KafkaClients.checkReachable(admin, bootstrap, Duration.ofSeconds(15));
                Topics topics = Topics.defaults();
                Map<String, Integer> all = new LinkedHashMap<>();
                all.put(topics.commands(), 1);
                all.put(topics.telemetry(), 1);
                all.put(topics.verdicts(), 1);
                all.put(canary.inputTopic(), canary.partitions());
                all.put(canary.outputTopic(), canary.partitions());
                KafkaClients.ensureTopics(admin, all);
                out.println("Starting " + count + " " + mode + " order listeners, each with an agent" + (lab == null ? ""
                        : " on its own host") + " (logs in " + work + ")");
                out.flush();
                var settings = DemoCluster.ListenerSettings.demo(mode, group, canary.inputTopic(), canary.outputTopic());
                try (DemoCluster cluster = lab == null
                        ? DemoCluster.start(bootstrap, commandConfig, count, settings, work, "")
                        : lab.adopt(DemoCluster.start(bootstrap, count, settings, work,
                                lab.placement(topics.telemetry())))) {
                    if (lab != null && lab.redisAddress() != null) {
                        out.println("Agent beside Redis: " + lab.startRedisAgent(work.resolve("keys").resolve(
                                DemoCluster.KEY_ID + KeyFiles.PUBLIC_SUFFIX), cluster.agentKeys()));
                    }
                    cluster.awaitGroup(admin, group, count, Duration.ofSeconds(90));
                    out.println("All " + count + " listeners joined group " + group);
                    out.flush();
                    try (BrokerAgents brokerAgents = brokerAgents(nodes, bootstrap, work, out)) {
                        List<Path> agentKeys = new ArrayList<>(List.of(cluster.agentKeys()));
                        if (brokerAgents != null) {
                            agentKeys.add(brokerAgents.agentKeys());
                        }
                        return RunCommand.run(scenario, connection, topics, Duration.ofSeconds(30),
                                Duration.ofSeconds(30), reportDir, out,
                                cluster.signer(), KeyFiles.publicKeys(agentKeys), AlertSources.NONE);
                    }
                }
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    /** The library's targets the demo cannot start here, by role: what each is and where it runs. */
    private static final Map<String, String> ELSEWHERE = Map.of(
            "cluster-agent", "the cluster agent (role=cluster-agent), which deletes pods through a Kubernetes API, and "
                    + "the demo runs no Kubernetes; install the chart (charts/faultline) and run it there with "
                    + "'faultline run' or a gameDays CronJob",
            "streams", "an agent beside a Kafka Streams application (role=streams), which the demo does not run; start "
                    + "your application with 'faultline agent --exec' beside it and run the drill with 'faultline run'",
            "api", "an agent beside an HTTP API (role=api) that answers the scenario's probe URLs, which the demo does "
                    + "not run; start your API with 'faultline agent --exec' beside it and run the drill with "
                    + "'faultline run'");

    /** Whether {@code scenario} needs hosts of its own: a network or Redis fault, or an agent beside Redis. */
    static boolean needsHosts(Scenario scenario) {
        return needsRedis(scenario) || scenario.injections().stream()
                .anyMatch(s -> s.inject().fault().type().startsWith("network."));
    }

    static boolean needsRedis(Scenario scenario) {
        return scenario.injections().stream().anyMatch(s -> s.inject().fault().type().startsWith("redis."))
                || scenario.targets().values().stream().anyMatch(t -> "redis".equals(t.labels().get("role")));
    }

    /**
     * Why the demo cannot run {@code scenario}, in one sentence; null when it can. The demo starts
     * order listeners with an agent each (role=listener) and, beside an embedded cluster of
     * {@code nodes} &gt; 1, an agent per node (role=broker) and a Kafka Admin agent
     * (role=kafka-admin), all on this host's loopback ({@code nodes} 0: the user's own cluster).
     * A drill with network or Redis faults runs in a lab of network namespaces around one embedded
     * broker, with Redis and its agent (role=redis) on a host of their own; {@code labMissing} is
     * what this machine lacks to build it.
     */
    static String cannotRunHere(Scenario scenario, int nodes, List<String> labMissing) {
        if (needsHosts(scenario)) {
            Step step = scenario.injections().stream().filter(s -> s.inject().fault().type().startsWith("network.")
                    || s.inject().fault().type().startsWith("redis.")).findFirst().orElse(null);
            String what = step == null ? "it has an agent beside Redis" : "step '" + step.name() + "' is a "
                    + step.inject().fault().type() + " fault";
            if (nodes != 1) {
                return what + ", which the demo runs in network namespaces around its own single broker: "
                        + (nodes == 0 ? "drop --bootstrap-servers" : "drop --brokers");
            }
            if (!labMissing.isEmpty()) {
                return what + ", which needs its target on a host of its own, and the demo builds one network "
                        + "namespace per host with root, ip and iptables" + (needsRedis(scenario) ? " and runs "
                        + "redis-server" : "") + ", but this machine lacks " + String.join(", ", labMissing);
            }
        }
        List<String> roles = new ArrayList<>(List.of("listener"));
        if (nodes > 1) {
            roles.addAll(List.of("broker", "kafka-admin"));
        }
        if (needsRedis(scenario)) {
            roles.add("redis");
        }
        String starts = "it starts " + (nodes > 1 ? "order listeners (role=listener), an agent beside each Kafka node "
                + "(role=broker) and a Kafka Admin agent (role=kafka-admin)" : "order listeners with an agent each "
                + "(role=listener)" + (nodes == 1 ? ", and broker agents only with --brokers 3" : ""));
        for (var e : scenario.targets().entrySet()) {
            String role = e.getValue().labels().get("role");
            if (nodes == 1 && ("broker".equals(role) || "kafka-admin".equals(role))) {
                return "target '" + e.getKey() + "' wants agents labelled role=" + role + ", which the demo starts "
                        + "beside an embedded cluster of several nodes: add --brokers 3";
            }
            if (role != null && !roles.contains(role)) {
                String what = ELSEWHERE.get(role);
                if (what != null) {
                    return "target '" + e.getKey() + "' wants " + what;
                }
                return "target '" + e.getKey() + "' wants agents labelled role=" + role + ", and " + starts
                        + "; run it with 'faultline run' beside a system that has them";
            }
            if (e.getValue().pick().byBroker() && nodes <= 1) {
                return "target '" + e.getKey() + "' picks a Kafka node (" + e.getValue().pick().name().toLowerCase(
                        Locale.ROOT).replace('_', '-') + "), which needs agents beside the nodes of a cluster: "
                        + (nodes == 1 ? "add --brokers 3" : "run it with 'faultline run' beside your brokers' agents");
            }
        }
        return null;
    }

    /**
     * Beside an embedded cluster of several nodes: an agent beside each node (role=broker,
     * node-id=N) and one Kafka Admin agent, trusting the demo's key; null for one broker.
     */
    private static BrokerAgents brokerAgents(EmbeddedCluster nodes, String bootstrap, Path work, PrintWriter out)
            throws IOException {
        if (nodes == null) {
            return null;
        }
        Map<Integer, ProcessHandle> pids = new LinkedHashMap<>();
        for (int i = 1; i <= nodes.size(); i++) {
            pids.put(i, nodes.node(i));
        }
        BrokerAgents agents = BrokerAgents.start(bootstrap, pids, work.resolve("keys").resolve(DemoCluster.KEY_ID
                + KeyFiles.PUBLIC_SUFFIX), work.resolve("broker-agents"));
        out.println("Agents beside the brokers: " + String.join(", ", agents.ids()));
        out.flush();
        return agents;
    }

    private static String listenerGroup(Scenario scenario) {
        return scenario.targets().values().stream().filter(t -> t.pick().byGroup())
                .map(TargetSpec::group).findFirst().orElse("order-listeners");
    }

    static Scenario bundledScenario() throws ScenarioException, IOException {
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(DEFAULT_SCENARIO)) {
            if (in == null) {
                throw new IOException("the bundled scenario " + DEFAULT_SCENARIO + " is missing from the classpath");
            }
            return ScenarioLoader.parse(Path.of(DEFAULT_SCENARIO), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}

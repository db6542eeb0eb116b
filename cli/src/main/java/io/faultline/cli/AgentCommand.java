package io.faultline.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.faultline.agent.Agent;
import io.faultline.agent.AgentBuilder;
import io.faultline.agent.AgentConfig;
import io.faultline.agent.PodInfo;
import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.driver.HostCapabilities;
import io.faultline.agent.driver.NetemDriver;
import io.faultline.agent.driver.NetworkBandwidthDriver;
import io.faultline.agent.driver.NetworkPartitionDriver;
import io.faultline.agent.driver.PodFailureDriver;
import io.faultline.agent.driver.PodKillDriver;
import io.faultline.agent.driver.ProcControlLink;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.agent.driver.RedisOutageDriver;
import io.faultline.agent.driver.RedisPauseDriver;
import io.faultline.agent.driver.RedisThrottleDriver;
import io.faultline.agent.driver.SignalShell;
import io.faultline.agent.driver.Supervisor;
import io.faultline.agent.driver.TargetNetns;
import io.faultline.agent.driver.ToxiproxyDriver;
import io.faultline.agent.kafka.GroupChurnDriver;
import io.faultline.agent.kafka.LeaderMoveDriver;
import io.faultline.agent.kafka.MinIsrDriver;
import io.faultline.agent.kafka.QuotaDriver;
import io.faultline.agent.policy.AgentPolicy;
import io.faultline.agent.policy.PolicyFile;
import io.faultline.protocol.Capability;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.protocol.RedisAddress;
import io.faultline.protocol.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/** {@code faultline agent}: runs an agent beside a service until it is stopped. */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = "Run an agent that executes chaos commands addressed to it and reports on telemetry.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--id", required = true, description = "Agent id, unique in the cluster.")
    String id;

    @Option(names = "--label", description = "Label key=value; repeatable. Commands may target agents by labels.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:FAULTLINE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $FAULTLINE_BOOTSTRAP_SERVERS or localhost:9092).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE", defaultValue = "${env:FAULTLINE_COMMAND_CONFIG}",
            description = "Kafka client properties (TLS, SASL) every client of the agent takes, as Kafka's own tools "
                    + "take them (default: $FAULTLINE_COMMAND_CONFIG).")
    Path commandConfig;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of Faultline's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--service-pid-file",
            description = "Pid file of the service this agent sits beside; process faults that name no process act on it.")
    Path servicePidFile;

    @Option(names = "--redis", paramLabel = "HOST:PORT",
            description = "The Redis server this agent sits beside or its service uses; Redis faults that name no address act on it.")
    String redis;

    @Option(names = "--public-key", required = true, paramLabel = "FILE|DIR",
            description = "Public key (KEYID.pub) of an orchestrator whose signed commands to obey, or a directory "
                    + "of them; repeatable. Create a pair with 'faultline keys generate'.")
    List<Path> publicKeys = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Policy file: which faults, targets and leases this agent allows (see the README). "
                    + "Without one: every fault type on its own service and Redis, any peer, leases up to 15m, "
                    + "never its own link to Kafka.")
    Path policyFile;

    @Option(names = "--telemetry-key", paramLabel = "FILE",
            description = "Private key (KEYID.key, from 'faultline keys generate') this agent signs its telemetry "
                    + "with. Default: its own, made at first start as STATE-DIR/telemetry-key/ID.key; the "
                    + "orchestrator trusts the .pub beside it with --agent-keys.")
    Path telemetryKey;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the undo journal lives (default: ~/.faultline/agents/ID). "
                    + "At start the agent undoes whatever a killed predecessor left applied.")
    Path stateDir;

    @Option(names = "--heartbeat-interval-ms", defaultValue = "1000",
            description = "How often to publish a heartbeat (default: ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @picocli.CommandLine.Parameters(paramLabel = "CMD", arity = "0..*",
            description = "With --exec: the service to run and supervise, after --.")
    List<String> serviceCommand = new ArrayList<>();

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (default: none).")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "The address metrics listen on (default: ${DEFAULT-VALUE}, this host only; 0.0.0.0 for "
                    + "every interface, as a pod scraped by Prometheus needs).")
    String metricsHost;

    @Option(names = "--kubernetes",
            description = "Run as the cluster agent: carry the Kubernetes pod faults (k8s.pod.kill, k8s.pod.failure) "
                    + "and reach the API with the pod's service account (or ~/.kube/config outside a cluster). "
                    + "The policy's namespaces say where they may act.")
    boolean kubernetes;

    @Option(names = "--labels-file", paramLabel = "FILE",
            description = "Add the labels in FILE (the downward API's key=\"value\" lines, e.g. /etc/podinfo/labels) "
                    + "to this agent's labels. $POD_NAME and $POD_NAMESPACE, when set, become labels pod and namespace.")
    Path labelsFile;

    @Option(names = "--exec",
            description = "Run the service given after -- and supervise it, as Kubernetes runs a container: process "
                    + "faults that name no process act on it, a heal of a kill with restart: true starts it again, and "
                    + "it is stopped when the agent stops.")
    boolean exec;

    @Option(names = "--kafka-admin",
            description = "Take the Kafka Admin role: carry kafka.leader.move, kafka.quota, kafka.min-isr and "
                    + "kafka.group.churn, made "
                    + "with the Admin API on the cluster at --bootstrap-servers. The policy's kafka: section names "
                    + "what they may touch; without one every Kafka fault is refused.")
    boolean kafkaAdmin;

    @Option(names = "--admin-config", paramLabel = "FILE",
            description = "Client settings (TLS, SASL) of the Admin role's principal, as --command-config takes "
                    + "them; default: those of --command-config.")
    Path adminConfig;

    @Option(names = "--exit-with-parent", hidden = true,
            description = "Exit when standard input closes (used when launched by 'faultline demo').")
    boolean exitWithParent;

    /** Every driver an agent carries; whether the host lets it use them is probed separately. */
    List<FaultDriver<?>> drivers(CommandRunner runner, Supervisor supervisor, Path state) {
        ProcessKillDriver process = new ProcessKillDriver(runner, servicePidFile, supervisor);
        // Network faults in another process's namespace (a pod's) find it as process faults do.
        TargetNetns netns = new TargetNetns(runner, process.processes(), state);
        NetworkPartitionDriver partition = new NetworkPartitionDriver(runner, new ProcControlLink(bootstrapServers),
                netns);
        NetworkBandwidthDriver bandwidth = new NetworkBandwidthDriver(runner, netns);
        return List.of(
                process,
                partition,
                bandwidth,
                NetemDriver.delay(runner, netns),
                NetemDriver.loss(runner, netns),
                new RedisPauseDriver(redis),
                new RedisOutageDriver(partition, redis),
                new RedisThrottleDriver(bandwidth, redis),
                new ToxiproxyDriver());
    }

    /** The Kafka Admin role's drivers, on an Admin client of their own (its own principal with --admin-config). */
    private List<FaultDriver<?>> kafkaAdminDrivers(Path state) {
        Map<String, String> settings = adminConfig != null ? ClientSettingsFile.load(adminConfig)
                : commandConfig != null ? ClientSettingsFile.load(commandConfig) : Map.of();
        KafkaConnection connection = new KafkaConnection(bootstrapServers, settings);
        Properties p = connection.client("faultline-agent-" + id + "-admin");
        p.put(AdminClientConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        Admin admin = Admin.create(p);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> admin.close(Duration.ofSeconds(2)), "admin-close"));
        return List.of(new LeaderMoveDriver(admin, state), new QuotaDriver(admin, state), new MinIsrDriver(admin, state),
                new GroupChurnDriver(admin, connection, "faultline-agent-" + id));
    }

    private static TelemetrySigner telemetrySigner(Path file) {
        try {
            return KeyFiles.telemetrySigner(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--telemetry-key " + file + ": " + e.getMessage());
        }
    }

    private static boolean kubernetesReachable(KubernetesClient client) {
        try {
            client.getKubernetesVersion();
            return true;
        } catch (RuntimeException e) {
            System.err.println("faultline agent: Kubernetes API not reachable (" + e.getMessage()
                    + "); pod faults will be rejected as unsupported");
            return false;
        }
    }

    @Override
    public Integer call() {
        if (redis != null) {
            RedisAddress.check("--redis", redis);
        }
        Map<String, PublicKey> keys;
        try {
            keys = KeyFiles.publicKeys(publicKeys);
        } catch (IOException e) {
            throw new IllegalArgumentException("--public-key: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("--public-key: no *.pub file in " + publicKeys);
        }
        AgentPolicy policy = policyFile == null ? AgentPolicy.defaults() : PolicyFile.load(policyFile);
        Path state = stateDir != null ? stateDir
                : Path.of(System.getProperty("user.home"), ".faultline", "agents", id);
        Map<String, String> allLabels = new LinkedHashMap<>(PodInfo.labels(labelsFile, System.getenv()));
        allLabels.putAll(labels);
        AgentConfig config = AgentConfig.builder(id, bootstrapServers, state, keys).labels(allLabels)
                .topics(new Topics(topicPrefix)).heartbeatInterval(Duration.ofMillis(heartbeatMs))
                .servicePidFile(servicePidFile).redis(redis).policy(policy)
                .clientSettings(commandConfig == null ? Map.of() : ClientSettingsFile.load(commandConfig)).build();
        if (exec != !serviceCommand.isEmpty()) {
            throw new IllegalArgumentException(exec ? "--exec needs the service's command after --"
                    : "a command was given without --exec: " + String.join(" ", serviceCommand));
        }
        Supervisor supervisor = exec ? new Supervisor(serviceCommand, state) : null;
        List<FaultDriver<?>> drivers = new ArrayList<>(drivers(new SignalShell(CommandRunner.SYSTEM), supervisor, state));
        HostCapabilities host = HostCapabilities.probe(CommandRunner.SYSTEM, redis);
        if (supervisor != null) {
            host = host.with(List.of(Capability.SERVICE_RESTART));
        }
        if (kubernetes) {
            KubernetesClient client = new KubernetesClientBuilder().build();
            drivers.add(new PodKillDriver(client, new SecureRandom()));
            drivers.add(new PodFailureDriver(client, new SecureRandom()));
            host = host.with(kubernetesReachable(client) ? List.of(Capability.KUBERNETES) : List.of());
        }
        if (kafkaAdmin) {
            drivers.addAll(kafkaAdminDrivers(state));
            if (policy.kafka().topics().isEmpty() && policy.kafka().clientIds().isEmpty()
                    && policy.kafka().users().isEmpty() && policy.kafka().groups().isEmpty()) {
                System.err.println("faultline agent: --kafka-admin without a kafka: section in --policy; every Kafka "
                        + "fault will be refused (see docs/faults.md)");
            }
        } else if (adminConfig != null) {
            throw new IllegalArgumentException("--admin-config is for the Kafka Admin role: give --kafka-admin too");
        }
        Agent agent;
        try {
            AgentBuilder builder = Agent.builder(config).drivers(drivers).host(host);
            if (telemetryKey != null) {
                builder.telemetrySigner(telemetrySigner(telemetryKey));
            }
            agent = builder.build();
        } catch (IOException e) {
            throw new IllegalArgumentException("--state-dir: " + e.getMessage());
        }
        drivers.stream().filter(d -> d instanceof ProcessKillDriver).map(d -> (ProcessKillDriver) d)
                .filter(ProcessKillDriver::watchesService).findFirst().ifPresent(d -> agent.watchService(d::servicePid));
        if (metricsPort != null) {
            try {
                System.err.println("faultline agent: metrics on port " + agent.exportMetrics(metricsHost, metricsPort));
            } catch (IOException e) {
                throw new IllegalArgumentException("--metrics-port " + metricsPort + ": " + e.getMessage());
            }
        }
        if (supervisor != null) {
            try {
                System.err.println("faultline agent: service " + supervisor.start());
            } catch (FaultException e) {
                throw new IllegalArgumentException("--exec: " + e.getMessage());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(supervisor::stop, "service-stop"));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
        if (exitWithParent) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // Only the end of the stream matters.
                    }
                } catch (IOException e) {
                    // Same as end of stream.
                }
                System.exit(0);
            }, "parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
        agent.run();
        if (agent.refusal() != null) {
            System.err.println("faultline agent: " + agent.refusal());
            return ExitCodes.INVALID_INPUT;
        }
        if (agent.failure() != null) {
            // It stopped on its own (Kafka unreachable): a supervisor must see it did not end well.
            System.err.println("faultline agent: cannot go on: " + agent.failure());
            return ExitCodes.INFRASTRUCTURE;
        }
        return 0;
    }
}

package io.faultline.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import io.faultline.broker.EmbeddedKafka;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.HostLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts for multi-host tests: a {@link HostLab} of one network namespace per host on
 * 10.77.0.0/24, whose bridge end 10.77.0.1 is where the test's Kafka broker listens. Needs root,
 * iproute2, iptables, tc and redis-server: where one is missing the tests are skipped with the
 * reason, except under CI=true, where they fail.
 */
public final class NetLab implements AutoCloseable {
    public static final String GATEWAY = "10.77.0.1";
    public static final List<String> HOSTS = List.of("listener-1", "listener-2", "listener-3", "redis", "client");
    private static final HostLab.Layout LAYOUT = new HostLab.Layout("fl-", "flbr0", "flv", "10.77.0");
    private static NetLab shared;

    private final Path dir;
    private HostLab hosts;
    private EmbeddedKafka kafka;

    private NetLab(Path dir) {
        this.dir = dir;
    }

    /** The lab for this test JVM, with its Kafka broker; built on first use, torn down at exit. */
    public static synchronized NetLab shared() throws Exception {
        if (shared == null) {
            requirePrerequisites();
            NetLab lab = new NetLab(Files.createTempDirectory("faultline-netlab-"));
            lab.hosts = HostLab.build(LAYOUT, HOSTS);
            lab.kafka = EmbeddedKafka.start(lab.dir.resolve("kafka"), GATEWAY);
            Runtime.getRuntime().addShutdownHook(new Thread(lab::close, "netlab-teardown"));
            shared = lab;
        }
        return shared;
    }

    static void requirePrerequisites() {
        List<String> missing = HostLab.missing(List.of("tc", "redis-server", "redis-cli"));
        if (!missing.isEmpty()) {
            String reason = "multi-host tests need " + String.join(", ", missing)
                    + " (CI installs them: see .ci/run)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
    }

    public static String ns(String host) {
        return LAYOUT.prefix() + host;
    }

    public String ip(String host) {
        return hosts.ip(host);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Path dir() {
        return dir;
    }

    /** Runs a command on a host and returns its exit status and output. */
    public Result exec(String host, String... argv) throws IOException, InterruptedException {
        HostLab.Result r = hosts.exec(host, argv);
        return new Result(r.exitCode(), r.output());
    }

    /** Starts a long-running program on a host, logging to {@code name}.log in the lab's directory. */
    public Process spawn(String host, String name, String... argv) throws IOException {
        return hosts.spawn(host, dir.resolve(name + ".log"), argv);
    }

    /** Starts a Java main class of this build on a host. */
    public Process spawnJvm(String host, String name, String mainClass, List<String> args) throws IOException {
        return spawnJvm(host, name, mainClass, args, Map.of());
    }

    /** Starts a Java main class of this build on a host, with {@code env} added to its environment. */
    public Process spawnJvm(String host, String name, String mainClass, List<String> args, Map<String, String> env)
            throws IOException {
        List<String> launcher = new ArrayList<>(hosts.launcher(host));
        if (!env.isEmpty()) {
            launcher.add("env");
            env.forEach((k, v) -> launcher.add(k + "=" + v));
        }
        return ChildJvm.start(launcher, mainClass, List.of("-Xmx192m"), args, dir.resolve(name + ".log"));
    }

    /**
     * Everything a network fault could leave behind on a host: every iptables rule of every
     * table and the qdiscs, classes and filters of its interface.
     */
    public String networkState(String host) throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder();
        for (String table : List.of("filter", "nat", "mangle", "raw")) {
            b.append(exec(host, "iptables", "-w", "-t", table, "-S").output()).append('\n');
        }
        b.append(exec(host, "tc", "qdisc", "show").output()).append('\n');
        b.append(exec(host, "tc", "class", "show", "dev", "eth0").output()).append('\n');
        b.append(exec(host, "tc", "filter", "show", "dev", "eth0").output()).append('\n');
        return b.toString();
    }

    /** Exit status and combined output of a command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }
}

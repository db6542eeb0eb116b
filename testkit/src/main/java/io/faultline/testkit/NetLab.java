package io.faultline.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import io.faultline.broker.EmbeddedKafka;
import io.faultline.demo.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts for multi-host tests: one network namespace per host, each joined to a bridge in the
 * root namespace by a veth pair, on 10.77.0.0/24. The bridge end is 10.77.0.1, where the test's
 * Kafka broker listens. Needs root, iproute2, iptables, tc and redis-server: where one is missing
 * the tests are skipped with the reason, except under CI=true, where they fail.
 */
public final class NetLab implements AutoCloseable {
    public static final String GATEWAY = "10.77.0.1";
    public static final List<String> HOSTS = List.of("listener-1", "listener-2", "listener-3", "redis", "client");
    private static final String BRIDGE = "flbr0";
    private static NetLab shared;

    private final Map<String, String> ips = new LinkedHashMap<>();
    private final Path dir;
    private EmbeddedKafka kafka;

    private NetLab(Path dir) {
        this.dir = dir;
    }

    /** The lab for this test JVM, with its Kafka broker; built on first use, torn down at exit. */
    public static synchronized NetLab shared() throws Exception {
        if (shared == null) {
            requirePrerequisites();
            NetLab lab = new NetLab(Files.createTempDirectory("faultline-netlab-"));
            lab.build();
            lab.kafka = EmbeddedKafka.start(lab.dir.resolve("kafka"), GATEWAY);
            Runtime.getRuntime().addShutdownHook(new Thread(lab::close, "netlab-teardown"));
            shared = lab;
        }
        return shared;
    }

    static void requirePrerequisites() {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root");
        }
        for (String bin : List.of("ip", "iptables", "tc", "redis-server", "redis-cli")) {
            if (!onPath(bin)) {
                missing.add(bin);
            }
        }
        if (!missing.isEmpty()) {
            String reason = "multi-host tests need " + String.join(", ", missing)
                    + " (CI installs them: see .ci/run)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
    }

    private static boolean onPath(String bin) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, bin))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", bin)) || Files.isExecutable(Path.of("/sbin", bin));
    }

    private void build() throws IOException, InterruptedException {
        teardown();
        must("ip", "link", "add", BRIDGE, "type", "bridge");
        must("ip", "addr", "add", GATEWAY + "/24", "dev", BRIDGE);
        must("ip", "link", "set", BRIDGE, "up");
        for (int i = 0; i < HOSTS.size(); i++) {
            String host = HOSTS.get(i);
            String ns = ns(host);
            String ip = "10.77.0." + (10 + i);
            must("ip", "netns", "add", ns);
            must("ip", "link", "add", "flv" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
            must("ip", "link", "set", "flv" + i, "master", BRIDGE, "up");
            must("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
            must("ip", "-n", ns, "link", "set", "eth0", "up");
            must("ip", "-n", ns, "link", "set", "lo", "up");
            must("ip", "-n", ns, "route", "add", "default", "via", GATEWAY);
            ips.put(host, ip);
        }
    }

    /** Removes the namespaces and the bridge, also those left behind by an earlier run. */
    private static void teardown() throws IOException, InterruptedException {
        for (String host : HOSTS) {
            run(List.of("ip", "netns", "del", ns(host)));
        }
        run(List.of("ip", "link", "del", BRIDGE));
    }

    public static String ns(String host) {
        return "fl-" + host;
    }

    public String ip(String host) {
        return ips.get(host);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Path dir() {
        return dir;
    }

    /** Runs a command on a host and returns its exit status and output. */
    public Result exec(String host, String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
        cmd.addAll(List.of(argv));
        return run(cmd);
    }

    /** Starts a long-running program on a host, logging to {@code name}.log in the lab's directory. */
    public Process spawn(String host, String name, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
        cmd.addAll(List.of(argv));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
    }

    /** Starts a Java main class of this build on a host. */
    public Process spawnJvm(String host, String name, String mainClass, List<String> args) throws IOException {
        return spawnJvm(host, name, mainClass, args, Map.of());
    }

    /** Starts a Java main class of this build on a host, with {@code env} added to its environment. */
    public Process spawnJvm(String host, String name, String mainClass, List<String> args, Map<String, String> env)
            throws IOException {
        List<String> launcher = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
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

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), out);
    }

    private static void must(String... cmd) throws IOException, InterruptedException {
        Result r = run(List.of(cmd));
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
        }
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
        try {
            teardown();
        } catch (IOException | InterruptedException e) {
            // Best effort at exit.
        }
    }
}

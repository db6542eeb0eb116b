package io.faultline.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on one Linux machine: one network namespace per host, each joined by a veth pair to a
 * bridge in the root namespace, on {@code SUBNET.0/24}. The bridge end is {@code SUBNET.1}, the
 * address a broker listens on so that every host reaches it; host {@code i} is
 * {@code SUBNET.(10+i)}. Names carry a prefix of their own, so two labs (the demo's, a test's)
 * never touch each other's namespaces. Needs root, iproute2 and iptables (tc and redis-server
 * for the drills that use them).
 */
public final class HostLab implements AutoCloseable {
    /** The names and addresses of one lab: namespaces {@code prefix + host}, bridge, veths, subnet. */
    public record Layout(String prefix, String bridge, String veth, String subnet) {
        public String gateway() {
            return subnet + ".1";
        }
    }

    private final Layout layout;
    private final List<String> hosts;
    private final Map<String, String> ips = new LinkedHashMap<>();

    private HostLab(Layout layout, List<String> hosts) {
        this.layout = layout;
        this.hosts = List.copyOf(hosts);
    }

    /**
     * What this machine lacks to build a lab whose drills use {@code tools} besides ip and
     * iptables (e.g. tc, redis-server); empty when it has everything.
     */
    public static List<String> missing(List<String> tools) {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root");
        }
        List<String> all = new ArrayList<>(List.of("ip", "iptables"));
        all.addAll(tools);
        for (String bin : all) {
            if (!onPath(bin)) {
                missing.add(bin);
            }
        }
        return missing;
    }

    private static boolean onPath(String bin) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, bin))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", bin)) || Files.isExecutable(Path.of("/sbin", bin));
    }

    /**
     * Builds the bridge and one namespace per host, after removing whatever an earlier lab of the
     * same layout left behind (its processes included).
     */
    public static HostLab build(Layout layout, List<String> hosts) throws IOException, InterruptedException {
        if (hosts.size() > 200) {
            throw new IllegalArgumentException("a lab has at most 200 hosts");
        }
        HostLab lab = new HostLab(layout, hosts);
        lab.teardown();
        try {
            must("ip", "link", "add", layout.bridge(), "type", "bridge");
            must("ip", "addr", "add", layout.gateway() + "/24", "dev", layout.bridge());
            must("ip", "link", "set", layout.bridge(), "up");
            for (int i = 0; i < hosts.size(); i++) {
                String host = hosts.get(i);
                String ns = lab.ns(host);
                String ip = layout.subnet() + "." + (10 + i);
                must("ip", "netns", "add", ns);
                must("ip", "link", "add", layout.veth() + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
                must("ip", "link", "set", layout.veth() + i, "master", layout.bridge(), "up");
                must("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
                must("ip", "-n", ns, "link", "set", "eth0", "up");
                must("ip", "-n", ns, "link", "set", "lo", "up");
                must("ip", "-n", ns, "route", "add", "default", "via", layout.gateway());
                lab.ips.put(host, ip);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /**
     * Removes the namespaces and the bridge: first every process still running in one of this
     * lab's namespaces (only processes this lab's namespaces hold, so nothing else on the
     * machine), then the namespaces, then the bridge.
     */
    private void teardown() throws IOException, InterruptedException {
        for (String host : hosts) {
            Result pids = run(List.of("ip", "netns", "pids", ns(host)));
            if (pids.ok() && !pids.output().isBlank()) {
                for (String pid : pids.output().split("\\s+")) {
                    if (pid.matches("\\d{1,9}")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            run(List.of("ip", "netns", "del", ns(host)));
        }
        run(List.of("ip", "link", "del", layout.bridge()));
    }

    public Layout layout() {
        return layout;
    }

    public List<String> hosts() {
        return hosts;
    }

    public String ns(String host) {
        return layout.prefix() + host;
    }

    public String ip(String host) {
        String ip = ips.get(host);
        if (ip == null) {
            throw new IllegalArgumentException("no host " + host + " in this lab (hosts: " + hosts + ")");
        }
        return ip;
    }

    public String gateway() {
        return layout.gateway();
    }

    /** The words that run a program on {@code host}: {@code ip netns exec NS}, which execs it. */
    public List<String> launcher(String host) {
        ip(host);
        return List.of("ip", "netns", "exec", ns(host));
    }

    /** Runs a command on a host and returns its exit status and output. */
    public Result exec(String host, String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(launcher(host));
        cmd.addAll(List.of(argv));
        return run(cmd);
    }

    /** Starts a long-running program on a host, its output appended to {@code log}. */
    public Process spawn(String host, Path log, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(launcher(host));
        cmd.addAll(List.of(argv));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Exit status and combined output of a command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code cmd}, waiting at most 60 s for it. */
    public static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return new Result(-1, out + " (" + cmd.get(0) + " did not finish within 60 s)");
        }
        return new Result(p.exitValue(), out);
    }

    private static void must(String... cmd) throws IOException, InterruptedException {
        Result r = run(List.of(cmd));
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
        }
    }

    /** Stops what still runs in the lab's namespaces and removes them and the bridge. */
    @Override
    public void close() {
        try {
            teardown();
        } catch (IOException e) {
            // Best effort: a later lab of the same layout removes what is left.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

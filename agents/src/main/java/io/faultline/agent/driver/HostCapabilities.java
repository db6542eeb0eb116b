package io.faultline.agent.driver;

import io.faultline.protocol.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds out what this host lets the agent do: CAP_NET_ADMIN, a working iptables, which tc
 * qdiscs the kernel has (tried on a throwaway veth pair, never on a real one), and
 * whether the agent's Redis answers.
 */
public final class HostCapabilities {
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    private final String redisAddress;
    private final List<String> host;

    private HostCapabilities(String redisAddress, List<String> host) {
        this.redisAddress = redisAddress;
        this.host = host;
    }

    /** Probes the host once; Redis is probed again on every {@link #current()}. */
    public static HostCapabilities probe(CommandRunner runner, String redisAddress) {
        List<String> found = new ArrayList<>();
        if (hasNetAdmin()) {
            found.add(Capability.NET_ADMIN);
            if (runner.runQuietly(List.of("iptables", "-w", "-S", "OUTPUT"))) {
                found.add(Capability.IPTABLES);
            }
            found.addAll(qdiscs(runner));
            if (hasCapability(CAP_SYS_ADMIN) && runner.runQuietly(List.of("nsenter", "--version"))) {
                found.add(Capability.NETNS);
            }
        }
        return new HostCapabilities(redisAddress, List.copyOf(found));
    }

    /** The same, plus what was found elsewhere (e.g. a reachable Kubernetes API). */
    public HostCapabilities with(List<String> more) {
        List<String> all = new ArrayList<>(host);
        all.addAll(more);
        return new HostCapabilities(redisAddress, List.copyOf(all));
    }

    /** No probing: for agents that run only process faults. */
    public static HostCapabilities none() {
        return new HostCapabilities(null, List.of());
    }

    public List<String> current() {
        if (redisAddress == null || !RedisPauseDriver.reachable(redisAddress)) {
            return host;
        }
        List<String> all = new ArrayList<>(host);
        all.add(Capability.REDIS);
        return all;
    }

    static boolean hasNetAdmin() {
        return hasCapability(CAP_NET_ADMIN);
    }

    private static boolean hasCapability(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    private static List<String> qdiscs(CommandRunner runner) {
        // A veth pair rather than a dummy link: some kernels have no dummy driver.
        String dummy = "flprobe" + (ProcessHandle.current().pid() % 100_000);
        if (!runner.runQuietly(List.of("ip", "link", "add", dummy, "type", "veth", "peer", "name", dummy + "p"))) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        try {
            if (tryQdisc(runner, dummy, List.of("handle", "1:", "htb"))) {
                found.add(Capability.HTB);
            }
            if (tryQdisc(runner, dummy, List.of("netem", "delay", "1ms"))) {
                found.add(Capability.NETEM);
            }
        } finally {
            runner.runQuietly(List.of("ip", "link", "del", dummy));
        }
        return found;
    }

    private static boolean tryQdisc(CommandRunner runner, String device, List<String> qdisc) {
        List<String> add = new ArrayList<>(List.of("tc", "qdisc", "add", "dev", device, "root"));
        add.addAll(qdisc);
        boolean ok = runner.runQuietly(add);
        if (ok) {
            runner.runQuietly(List.of("tc", "qdisc", "del", "dev", device, "root"));
        }
        return ok;
    }
}

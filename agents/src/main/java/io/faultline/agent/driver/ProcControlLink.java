package io.faultline.agent.driver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds this process's own TCP connections from {@code /proc/self/fd} and
 * {@code /proc/self/net/tcp[6]} (IPv4 and IPv4-mapped IPv6), and resolves the Kafka bootstrap
 * servers the agent was given.
 */
public final class ProcControlLink implements ControlLink {
    private static final String ESTABLISHED = "01";
    private static final String V4_MAPPED_PREFIX = "0000000000000000FFFF0000";

    private final List<String> bootstrapServers;

    public ProcControlLink(String bootstrapServers) {
        this.bootstrapServers = List.of(bootstrapServers.split(","));
    }

    @Override
    public List<Connection> connections() {
        Set<String> inodes = socketInodes();
        List<Connection> out = new ArrayList<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    Connection c = parse(line, inodes);
                    if (c != null) {
                        out.add(c);
                    }
                }
            } catch (IOException e) {
                // No such table (IPv6 disabled): nothing to exempt from it.
            }
        }
        return out;
    }

    @Override
    public List<Endpoint> brokers() {
        Set<Endpoint> out = new LinkedHashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (String server : bootstrapServers) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            int port = Integer.parseInt(s.substring(colon + 1));
            ports.add(port);
            try {
                for (InetAddress a : InetAddress.getAllByName(s.substring(0, colon))) {
                    if (a.getAddress().length == 4) {
                        out.add(new Endpoint(a.getHostAddress(), port));
                    }
                }
            } catch (UnknownHostException e) {
                // Unresolvable now; the connections below still name the brokers we reach.
            }
        }
        for (Connection c : connections()) {
            if (ports.contains(c.remote().port())) {
                out.add(c.remote());
            }
        }
        return List.copyOf(out);
    }

    /** Parses one line of /proc/net/tcp or tcp6; null unless it is one of ours, established, IPv4. */
    static Connection parse(String line, Set<String> inodes) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[3].equals(ESTABLISHED) || (inodes != null && !inodes.contains(f[9]))) {
            return null;
        }
        Endpoint local = endpoint(f[1]);
        Endpoint remote = endpoint(f[2]);
        return local == null || remote == null ? null : new Connection(local, remote);
    }

    private static Endpoint endpoint(String hexAddressPort) {
        int colon = hexAddressPort.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String addr = hexAddressPort.substring(0, colon);
        int port = Integer.parseInt(hexAddressPort.substring(colon + 1), 16);
        String v4;
        if (addr.length() == 8) {
            v4 = addr;
        } else if (addr.length() == 32 && addr.startsWith(V4_MAPPED_PREFIX)) {
            v4 = addr.substring(24);
        } else {
            return null;
        }
        // The kernel prints the address as a little-endian 32-bit word.
        long word = Long.parseLong(v4, 16);
        String ip = (word & 0xff) + "." + ((word >> 8) & 0xff) + "." + ((word >> 16) & 0xff) + "." + ((word >> 24) & 0xff);
        return new Endpoint(ip, port);
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // The descriptor closed while we looked.
                }
            }
        } catch (IOException e) {
            // No /proc: nothing is known to be ours.
        }
        return inodes;
    }
}

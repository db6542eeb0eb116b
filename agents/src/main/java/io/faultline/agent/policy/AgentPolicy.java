package io.faultline.agent.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.faultline.protocol.Checks;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.InvalidFieldException;
import io.faultline.protocol.NetworkBandwidthFault;
import io.faultline.protocol.NetworkDelayFault;
import io.faultline.protocol.NetworkLossFault;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.Peer;
import io.faultline.protocol.PodFailureFault;
import io.faultline.protocol.PodKillFault;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.RedisOutageFault;
import io.faultline.protocol.RedisPauseFault;
import io.faultline.protocol.RedisThrottleFault;
import io.faultline.protocol.ToxiproxyFault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one agent is allowed to do, whoever signed the command: which fault types, on which
 * targets, for how long. Checked before anything is applied; a command outside it is rejected
 * with the rule it broke. Built by {@link PolicyFile} or {@link #defaults()}.
 *
 * @param faults         fault types allowed; empty means every type the agent has a driver for
 * @param maxLease       the longest lease (and renewal) accepted
 * @param service        whether {@code process.kill} may act on the agent's own service
 * @param pidFiles       glob patterns of the pid files a {@code process.kill} may name
 * @param commandLines   {@code process.kill} command-line patterns allowed, verbatim
 * @param cidrs          blocks every partition peer must lie in; empty means any
 * @param ports          ports a partition or bandwidth cap may name; empty means any
 * @param brokers        whether a partition may cut the Kafka brokers ({@code brokers: true})
 * @param cutControlLink whether a partition may cut the agent's own connections
 * @param redis          Redis addresses besides the agent's own ({@code --redis}) that Redis faults may act on
 * @param toxiproxy      Toxiproxy API URLs that {@code toxiproxy.toxic} may call
 * @param devices        network interfaces tc faults may shape; empty means any
 * @param namespaces     Kubernetes namespaces pod faults may act in; empty means none
 * @param kafka          what Kafka faults may touch; nothing unless named
 */
public record AgentPolicy(Set<String> faults, Duration maxLease, boolean service, List<String> pidFiles,
                          List<String> commandLines, List<String> cidrs, List<Integer> ports, boolean brokers,
                          boolean cutControlLink, List<String> redis, List<String> toxiproxy, List<String> devices,
                          List<String> namespaces, KafkaScope kafka) {
    public static final Duration DEFAULT_MAX_LEASE = Duration.ofMinutes(15);

    public AgentPolicy {
        faults = faults == null ? Set.of() : Set.copyOf(faults);
        Checks.positive("maxLease", maxLease);
        pidFiles = Checks.copy(pidFiles);
        for (int i = 0; i < pidFiles.size(); i++) {
            try {
                Glob.of(pidFiles.get(i));
            } catch (RuntimeException e) {
                throw new InvalidFieldException("processes.pidFiles[" + i + "]", "'" + pidFiles.get(i)
                        + "' is not a valid glob: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        commandLines = Checks.copy(commandLines);
        for (int i = 0; i < commandLines.size(); i++) {
            try {
                Pattern.compile(commandLines.get(i));
            } catch (PatternSyntaxException e) {
                throw new InvalidFieldException("processes.commandLines[" + i + "]", "'" + commandLines.get(i)
                        + "' is not a valid regular expression: " + e.getDescription());
            }
        }
        cidrs = Checks.copy(cidrs);
        cidrs.forEach(c -> new Peer(c, null));
        ports = Checks.copy(ports);
        ports.forEach(p -> Checks.port("ports", p));
        redis = Checks.copy(redis);
        toxiproxy = Checks.copy(toxiproxy);
        devices = Checks.copy(devices);
        devices.forEach(d -> Checks.device("devices", d));
        namespaces = Checks.copy(namespaces);
        kafka = kafka == null ? KafkaScope.none() : kafka;
    }

    /**
     * Without a policy file: every fault type, on the agent's own service and own Redis only, any
     * network peer or port except the agent's own link to Kafka, no Kafka topic, client or user, leases
     * up to 15 minutes.
     */
    public static AgentPolicy defaults() {
        return new AgentPolicy(Set.of(), DEFAULT_MAX_LEASE, true, List.of(), List.of(), List.of(), List.of(), true,
                false, List.of(), List.of(), List.of(), List.of(), KafkaScope.none());
    }

    /**
     * Null if the fault with this lease is allowed; otherwise the rule it breaks.
     *
     * @param ownRedis the agent's own Redis ({@code --redis}), always allowed; may be null
     */
    public String violation(FaultSpec fault, Duration lease, String ownRedis) {
        if (!faults.isEmpty() && !faults.contains(fault.type())) {
            return fault.type() + " is not among the allowed faults " + new TreeSet<>(faults);
        }
        if (lease != null && lease.compareTo(maxLease) > 0) {
            return "lease " + Durations.format(lease) + " exceeds maxLease " + Durations.format(maxLease);
        }
        if (fault instanceof ProcessKillFault p) {
            return process(p.process());
        }
        if (fault instanceof NetworkPartitionFault n) {
            return first(netns(n.netnsOf()), partition(n));
        }
        if (fault instanceof NetworkBandwidthFault b) {
            return first(netns(b.netnsOf()), firstOutside(b.ports()), device(b.device()));
        }
        if (fault instanceof NetworkDelayFault d) {
            return first(netns(d.netnsOf()), device(d.device()));
        }
        if (fault instanceof NetworkLossFault l) {
            return first(netns(l.netnsOf()), device(l.device()));
        }
        if (fault instanceof RedisPauseFault r) {
            return redis(r.address(), ownRedis);
        }
        if (fault instanceof RedisOutageFault r) {
            return redis(r.address(), ownRedis);
        }
        if (fault instanceof RedisThrottleFault r) {
            String bad = redis(r.address(), ownRedis);
            return bad != null ? bad : device(r.device());
        }
        if (fault instanceof PodKillFault k) {
            return namespace(k.pods().namespace());
        }
        if (fault instanceof PodFailureFault f) {
            return namespace(f.pods().namespace());
        }
        if (fault instanceof ToxiproxyFault t) {
            return toxiproxy.contains(t.api()) ? null
                    : "toxiproxy API " + t.api() + " is not among the allowed " + toxiproxy;
        }
        return kafka.violation(fault);
    }

    private String namespace(String ns) {
        return namespaces.contains(ns) ? null
                : "namespace " + ns + " is not among the allowed namespaces " + namespaces;
    }

    /** The first rule broken, or null. */
    private static String first(String... violations) {
        for (String v : violations) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /**
     * A network fault in another process's namespace: that process must be one the policy lets
     * process faults name (its pid files, command-line patterns, or the service).
     */
    private String netns(ProcessSelector s) {
        String bad = s == null ? null : process(s);
        return bad == null ? null : "netnsOf: " + bad;
    }

    private String process(ProcessSelector s) {
        if (s.isService()) {
            return service ? null : "faults on the agent's own service are not allowed (processes.service: false)";
        }
        if (s.pidFile() != null) {
            Path named = Path.of(s.pidFile());
            if (!allowedPidFile(named.normalize())) {
                return "pid file " + s.pidFile() + " matches none of the allowed pidFiles " + pidFiles;
            }
            // The text may match while the kernel resolves it elsewhere (a symlinked directory before "..").
            // The directories as the kernel resolves them; the last name is never followed (the driver refuses a link).
            Path real;
            Path dir = named.toAbsolutePath().getParent();
            if (dir == null) {
                real = named;
            } else {
                // Under a deadline, off this thread: a hung mount must not hold the command loop.
                PathResolver.Outcome o = PathResolver.realPath(dir);
                if (o instanceof PathResolver.TimedOut t) {
                    return "pid file " + s.pidFile() + ": its directory did not resolve within "
                            + Durations.format(t.deadline()) + " (a mount that does not answer?)";
                }
                if (o instanceof PathResolver.Missing) {
                    return null; // The directory does not exist: the driver finds nothing to signal.
                }
                real = ((PathResolver.Resolved) o).real().resolve(named.getFileName());
            }
            if (!allowedPidFile(real)) {
                return "pid file " + s.pidFile() + " resolves to " + real + ", which matches none of the allowed pidFiles "
                        + pidFiles;
            }
            return null;
        }
        return commandLines.contains(s.commandLine()) ? null
                : "command-line pattern /" + s.commandLine() + "/ is not among the allowed commandLines " + commandLines;
    }

    private boolean allowedPidFile(Path file) {
        // Linear time whatever the path: a signed command names it, and this runs on the command loop.
        for (String glob : pidFiles) {
            if (Glob.of(glob).matches(file.toString())) {
                return true;
            }
        }
        return false;
    }

    private String partition(NetworkPartitionFault n) {
        if (n.brokers() && !brokers) {
            return "partitions from the Kafka brokers are not allowed (network.brokers: false)";
        }
        if (n.cutControlLink() && !cutControlLink) {
            return "cutting the agent's own link to Kafka is not allowed (network.cutControlLink: false)";
        }
        List<Integer> named = new ArrayList<>();
        for (Peer p : n.peers()) {
            if (!cidrs.isEmpty() && cidrs.stream().noneMatch(c -> Cidr.contains(c, p.cidr()))) {
                return "peer " + p.cidr() + " is outside the allowed cidrs " + cidrs;
            }
            if (p.port() != null) {
                named.add(p.port());
            } else if (!ports.isEmpty()) {
                return "peer " + p.cidr() + " names no port, but only ports " + ports + " are allowed";
            }
        }
        return firstOutside(named);
    }

    private String firstOutside(List<Integer> named) {
        if (ports.isEmpty()) {
            return null;
        }
        return named.stream().filter(p -> !ports.contains(p)).findFirst()
                .map(p -> "port " + p + " is not among the allowed ports " + ports).orElse(null);
    }

    private String device(String device) {
        if (devices.isEmpty()) {
            return null;
        }
        if (device == null) {
            return "the fault shapes every interface, but only devices " + devices + " are allowed";
        }
        return devices.contains(device) ? null : "device " + device + " is not among the allowed devices " + devices;
    }

    private String redis(String address, String ownRedis) {
        if (address == null || address.equals(ownRedis) || redis.contains(address)) {
            return null;
        }
        return "Redis " + address + " is neither this agent's own (" + (ownRedis == null ? "none" : ownRedis)
                + ") nor among the allowed redis " + redis;
    }
}

package io.faultline.agent.driver;

import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.PacketAction;
import io.faultline.protocol.Peer;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes {@code network.partition} with iptables rules in the filter table's INPUT and OUTPUT
 * chains, each tagged with a comment naming the command id. Undo deletes exactly the rules it
 * inserted, then sweeps any rule still carrying the tag; rules of anyone else are never touched.
 *
 * <p>Unless the spec sets {@code cutControlLink}, ACCEPT rules for the agent's own open
 * connections go above the partition's rules, so the agent still hears heal and halt. With
 * {@code netnsOf} the rules go into the network namespace of that process instead
 * ({@link TargetNetns}), where the agent has no connection to exempt.
 */
public final class NetworkPartitionDriver implements FaultDriver<NetworkPartitionFault> {
    static final String TAG_PREFIX = "faultline:";

    private final CommandRunner runner;
    private final ControlLink link;
    private final TargetNetns netns;

    public NetworkPartitionDriver(CommandRunner runner, ControlLink link) {
        this(runner, link, null);
    }

    /** @param netns how to enter another process's network namespace ({@code netnsOf}); null: never */
    public NetworkPartitionDriver(CommandRunner runner, ControlLink link, TargetNetns netns) {
        this.runner = runner;
        this.link = link;
        this.netns = netns;
    }

    @Override
    public Class<NetworkPartitionFault> faultClass() {
        return NetworkPartitionFault.class;
    }

    @Override
    public String faultType() {
        return NetworkPartitionFault.TYPE;
    }

    /** Queueing disciplines and netfilter rules live in the kernel, the host's or a namespace's in it. */
    @Override
    public boolean diesWithHost(NetworkPartitionFault fault) {
        return true;
    }

    /** One iptables rule: its chain and its match-and-target arguments. */
    record Rule(String chain, List<String> spec) {
        List<String> insert() {
            return argv("-I", List.of(chain, "1"));
        }

        List<String> delete() {
            return argv("-D", List.of(chain));
        }

        private List<String> argv(String op, List<String> where) {
            List<String> a = new ArrayList<>(List.of("iptables", "-w", op));
            a.addAll(where);
            a.addAll(spec);
            return a;
        }
    }

    @Override
    public Applied apply(String commandId, NetworkPartitionFault fault) throws FaultException {
        if (fault.netnsOf() == null) {
            return apply(runner, commandId, fault, true);
        }
        // The agent's own connections are not in another namespace: nothing there to exempt.
        return TrafficControl.required(netns).apply(commandId, fault.netnsOf(),
                (inside, own) -> apply(inside, commandId, fault, own), inside -> sweptInside(inside, commandId));
    }

    /** Deletes the command's tagged rules inside an entered namespace; says how many. */
    private static String sweptInside(CommandRunner inside, String commandId) throws FaultException {
        return "deleted " + sweep(inside, commandId) + " iptables rules tagged " + TAG_PREFIX + commandId;
    }

    private Applied apply(CommandRunner runner, String commandId, NetworkPartitionFault fault, boolean ownNamespace)
            throws FaultException {
        List<Peer> peers = new ArrayList<>(fault.peers());
        if (fault.brokers()) {
            List<ControlLink.Endpoint> brokers = link.brokers();
            if (brokers.isEmpty()) {
                throw new FaultException("brokers: true, but no broker address is known to this agent");
            }
            brokers.forEach(b -> peers.add(new Peer(b.ip() + "/32", b.port())));
        }
        List<ControlLink.Connection> exempt = fault.cutControlLink() || !ownNamespace ? List.of() : link.connections();
        List<Rule> rules = rules(commandId, fault, peers, exempt);
        List<Rule> inserted = new ArrayList<>();
        try {
            for (Rule r : rules) {
                mustRun(runner, r.insert());
                inserted.add(r);
            }
        } catch (FaultException e) {
            removeQuietly(runner, commandId, inserted);
            throw e;
        }
        String detail = "inserted " + rules.size() + " iptables rules tagged " + TAG_PREFIX + commandId + " ("
                + fault.action().name().toLowerCase() + " " + fault.direction().name().toLowerCase() + " " + peers
                + (fault.cutControlLink() ? ", control link cut too" : ", " + exempt.size() + " own connections exempt") + ")";
        return Applied.of(detail, () -> remove(runner, commandId, inserted));
    }

    @Override
    public String recover(String commandId, NetworkPartitionFault fault) throws FaultException {
        if (fault.netnsOf() != null) {
            return TrafficControl.required(netns).recover(commandId, inside -> sweptInside(inside, commandId));
        }
        int n = sweep(runner, commandId);
        return n == 0 ? "nothing to undo: no iptables rule tagged " + TAG_PREFIX + commandId
                : "deleted " + n + " iptables rules tagged " + TAG_PREFIX + commandId;
    }

    /**
     * The rules for a fault, in insertion order: each is inserted at the top of its chain, so the
     * exemptions, inserted last, end up above the partition.
     */
    static List<Rule> rules(String commandId, NetworkPartitionFault fault, List<Peer> peers,
                            List<ControlLink.Connection> exempt) {
        String tag = TAG_PREFIX + commandId;
        List<Rule> rules = new ArrayList<>();
        for (Peer p : peers) {
            if (fault.direction().egress()) {
                rules.add(new Rule("OUTPUT", block("-d", p, tag, fault.action())));
            }
            if (fault.direction().ingress()) {
                rules.add(new Rule("INPUT", block("-s", p, tag, fault.action())));
            }
        }
        for (ControlLink.Connection c : exempt) {
            if (fault.direction().egress()) {
                rules.add(new Rule("OUTPUT", accept(c.local(), c.remote(), tag)));
            }
            if (fault.direction().ingress()) {
                rules.add(new Rule("INPUT", accept(c.remote(), c.local(), tag)));
            }
        }
        return rules;
    }

    private static List<String> block(String peerFlag, Peer p, String tag, PacketAction action) {
        List<String> spec = new ArrayList<>(List.of(peerFlag, p.cidr()));
        if (p.port() != null) {
            spec.addAll(List.of("-p", "tcp", "-m", "multiport", "--ports", p.port().toString()));
            if (action == PacketAction.REJECT && peerFlag.equals("-d")) {
                // Let out the resets that the ingress rule sends, or the peer would only time out.
                spec.addAll(List.of("-m", "tcp", "!", "--tcp-flags", "RST", "RST"));
            }
        }
        spec.addAll(List.of("-m", "comment", "--comment", tag));
        if (action == PacketAction.DROP) {
            spec.addAll(List.of("-j", "DROP"));
        } else if (p.port() != null) {
            spec.addAll(List.of("-j", "REJECT", "--reject-with", "tcp-reset"));
        } else {
            spec.addAll(List.of("-j", "REJECT"));
        }
        return spec;
    }

    private static List<String> accept(ControlLink.Endpoint from, ControlLink.Endpoint to, String tag) {
        return List.of("-p", "tcp", "-s", from.ip(), "--sport", Integer.toString(from.port()),
                "-d", to.ip(), "--dport", Integer.toString(to.port()),
                "-m", "comment", "--comment", tag, "-j", "ACCEPT");
    }

    private static String remove(CommandRunner runner, String commandId, List<Rule> inserted) throws FaultException {
        List<String> errors = new ArrayList<>();
        for (int i = inserted.size() - 1; i >= 0; i--) {
            CommandRunner.Result r = runner.run(inserted.get(i).delete());
            if (!r.ok() && !gone(r)) {
                errors.add(r.output());
            }
        }
        int swept = sweep(runner, commandId);
        if (!errors.isEmpty()) {
            throw new FaultException("could not delete every rule tagged " + TAG_PREFIX + commandId + ": " + errors);
        }
        return "deleted " + inserted.size() + " iptables rules tagged " + TAG_PREFIX + commandId
                + (swept > 0 ? " and " + swept + " more found by the tag" : "");
    }

    private static void removeQuietly(CommandRunner runner, String commandId, List<Rule> inserted) {
        try {
            remove(runner, commandId, inserted);
        } catch (FaultException e) {
            // Reported by the apply failure that got us here.
        }
    }

    /** Deletes every INPUT/OUTPUT rule still tagged with the command id; returns how many. */
    @Override
    public String sweep() throws FaultException {
        int n = sweep(runner, null);
        String own = n == 0 ? "no iptables rule tagged " + TAG_PREFIX + "*" : "deleted " + n + " iptables rules tagged "
                + TAG_PREFIX + "*";
        String entered = netns == null ? null
                : netns.sweep(inside -> "deleted " + sweep(inside, null) + " iptables rules tagged " + TAG_PREFIX + "*");
        return entered == null ? own : own + "; " + entered;
    }

    /** Deletes the rules tagged for {@code commandId}, or every rule tagged by Faultline when it is null. */
    static int sweep(CommandRunner runner, String commandId) throws FaultException {
        String needle = commandId == null ? null : TAG_PREFIX + commandId;
        int deleted = 0;
        for (String chain : List.of("INPUT", "OUTPUT")) {
            CommandRunner.Result listing = runner.run(List.of("iptables", "-w", "-S", chain));
            if (!listing.ok()) {
                throw new FaultException("iptables -S " + chain + " failed: " + listing.output());
            }
            for (String line : listing.output().split("\n")) {
                List<String> words = Shell.words(line);
                boolean ours = needle != null ? words.contains(needle)
                        : words.stream().anyMatch(w -> w.startsWith(TAG_PREFIX));
                if (words.size() > 2 && words.get(0).equals("-A") && ours) {
                    List<String> argv = new ArrayList<>(List.of("iptables", "-w", "-D"));
                    argv.addAll(words.subList(1, words.size()));
                    if (runner.run(argv).ok()) {
                        deleted++;
                    }
                }
            }
        }
        return deleted;
    }

    private static boolean gone(CommandRunner.Result r) {
        String out = r.output();
        return out.contains("does a matching rule exist") || out.contains("Bad rule") || out.contains("No chain/target/match");
    }

    private static void mustRun(CommandRunner runner, List<String> argv) throws FaultException {
        CommandRunner.Result r = runner.run(argv);
        if (!r.ok()) {
            throw new FaultException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): " + r.output());
        }
    }
}

package io.faultline.engine;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.scenario.TargetSpec;
import io.faultline.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Picks the agents a scenario's target names among the live ones: those whose labels match, then
 * by the target's pick (all, any one, or members of a consumer group by what they own). Pure: the
 * random source is injected and the group's members are looked up by the caller, only when needed;
 * {@link #resolveWithin} tries a group target again while its agents may still be starting.
 */
public final class TargetResolver {
    /** A consumer group member: its client.id, host, and how many partitions of the target topic it owns. */
    public record Member(String clientId, String host, int partitions) {
        @Override
        public String toString() {
            return clientId + "@" + host + " (" + partitions + " partition" + (partitions == 1 ? "" : "s") + ")";
        }
    }

    /** Finds the members of the target's consumer group. */
    @FunctionalInterface
    public interface MemberLookup {
        List<Member> members() throws InfrastructureException, InterruptedException;
    }

    /** Finds the Kafka node a broker pick means, from the cluster's own metadata. */
    @FunctionalInterface
    public interface BrokerLookup {
        /** The node picked, and why (for errors and the plan): e.g. "the leader of orders-0". */
        BrokerPick node(String targetName, TargetSpec target) throws InfrastructureException, InterruptedException;
    }

    /** A node a broker pick chose, and in words why. */
    public record BrokerPick(int node, String why) {
    }

    /** For callers with no cluster to ask: a broker pick fails in words. */
    static final BrokerLookup NO_CLUSTER = (name, target) -> {
        throw new InfrastructureException("target '" + name + "' picks a broker, and no Kafka Admin client was given");
    };

    private final Random random;

    public TargetResolver(Random random) {
        this.random = random;
    }

    public static boolean matches(TargetSpec target, AgentHeartbeat agent) {
        return target.labels().entrySet().stream().allMatch(e -> e.getValue().equals(agent.labels().get(e.getKey())));
    }

    /**
     * True when {@code agent} sits beside {@code member}: its client-id label is the member's
     * client.id or its prefix; or, for an agent without one, its host label is the member's host.
     */
    public static boolean beside(AgentHeartbeat agent, Member member) {
        String label = agent.labels().get(TargetSpec.CLIENT_ID_LABEL);
        if (label != null) {
            return member.clientId() != null
                    && (member.clientId().equals(label) || member.clientId().startsWith(label + "-"));
        }
        String host = agent.labels().get(TargetSpec.HOST_LABEL);
        return host != null && host.equals(member.host());
    }

    /** Takes {@code n} of {@code from} at random (all of them when n is null); fails when there are fewer. */
    private <T> List<T> take(List<T> from, Integer n, String what) throws InfrastructureException {
        if (n == null) {
            return from;
        }
        if (from.size() < n) {
            throw new InfrastructureException(what + ": " + n + " wanted, " + from.size() + " found");
        }
        List<T> shuffled = new ArrayList<>(from);
        Collections.shuffle(shuffled, random);
        return List.copyOf(shuffled.subList(0, n));
    }

    /**
     * @throws InfrastructureException when no live agent matches, or none sits beside the members picked
     */
    public List<AgentHeartbeat> resolve(String targetName, TargetSpec target, List<AgentHeartbeat> live,
                                        MemberLookup group) throws InfrastructureException, InterruptedException {
        return resolve(targetName, target, live, group, NO_CLUSTER);
    }

    /**
     * As {@link #resolve(String, TargetSpec, List, MemberLookup)}, with broker picks answered by
     * {@code cluster}.
     */
    public List<AgentHeartbeat> resolve(String targetName, TargetSpec target, List<AgentHeartbeat> live,
                                        MemberLookup group, BrokerLookup cluster)
            throws InfrastructureException, InterruptedException {
        List<AgentHeartbeat> agents = live.stream().filter(hb -> matches(target, hb)).toList();
        if (agents.isEmpty()) {
            throw new InfrastructureException("no live agent matches target '" + targetName + "' (labels "
                    + target.labels() + ")");
        }
        if (target.pick().byBroker()) {
            BrokerPick pick = cluster.node(targetName, target);
            String id = Integer.toString(pick.node());
            List<AgentHeartbeat> beside = agents.stream()
                    .filter(a -> id.equals(a.labels().get(TargetSpec.NODE_ID_LABEL))).toList();
            if (beside.isEmpty()) {
                throw new InfrastructureException("target '" + targetName + "': broker " + id + " (" + pick.why()
                        + ") has no live agent beside it (an agent is beside a broker when its label "
                        + TargetSpec.NODE_ID_LABEL + " is the broker's node.id); agents of the target: "
                        + agents.stream().map(a -> a.agentId() + " (" + TargetSpec.NODE_ID_LABEL + "="
                                + a.labels().getOrDefault(TargetSpec.NODE_ID_LABEL, "none") + ")").toList());
            }
            return beside;
        }
        if (!target.pick().byGroup()) {
            return take(agents, target.picks(), "target '" + targetName + "' (labels " + target.labels() + ")");
        }
        List<Member> members = group.members();
        List<Member> picked = switch (target.pick()) {
            case PARTITION_OWNER -> members.stream().filter(m -> m.partitions() > 0)
                    .max(Comparator.comparingInt(Member::partitions)).map(List::of).orElse(List.of());
            case PARTITION_OWNERS -> members.stream().filter(m -> m.partitions() > 0).toList();
            case NOT_OWNER -> members.stream().filter(m -> m.partitions() == 0)
                    .filter(m -> agents.stream().anyMatch(a -> beside(a, m))).toList();
            default -> members;
        };
        if (picked.isEmpty()) {
            throw new InfrastructureException("target '" + targetName + "': " + (target.pick() == TargetSpec.Pick.NOT_OWNER
                    ? "no member of group " + target.group() + " that owns no partition of " + target.topic()
                            + " has a live agent beside it"
                    : "group " + target.group() + " has no member owning a partition of " + target.topic())
                    + "; " + evidence(target, members, agents));
        }
        picked = take(picked, target.picks(), "target '" + targetName + "': members of group " + target.group()
                + " picked by " + target.pick().name().toLowerCase(Locale.ROOT).replace('_', '-') + "; "
                + evidence(target, members, agents));
        List<AgentHeartbeat> out = new ArrayList<>();
        for (Member m : picked) {
            List<AgentHeartbeat> next = agents.stream().filter(a -> beside(a, m)).toList();
            // A host label ties an agent to every member on its host: only unambiguous when it is the one there.
            List<Member> sharing = members.stream().filter(o -> o != m && next.stream()
                    .filter(a -> !a.labels().containsKey(TargetSpec.CLIENT_ID_LABEL)).anyMatch(a -> beside(a, o)))
                    .toList();
            if (!sharing.isEmpty()) {
                throw new InfrastructureException("target '" + targetName + "': the agent beside member " + m
                        + " is beside " + sharing + " too (same " + TargetSpec.HOST_LABEL + " label): give each agent "
                        + "the " + TargetSpec.CLIENT_ID_LABEL + " label of its consumer; " + evidence(target, members,
                        agents));
            }
            if (next.isEmpty()) {
                throw new InfrastructureException("target '" + targetName + "': member " + m + " of group "
                        + target.group() + " has no live agent beside it (an agent is beside a member when its label "
                        + TargetSpec.CLIENT_ID_LABEL + " is the member's client.id or its prefix, or, without one, its label "
                        + TargetSpec.HOST_LABEL + " is the member's host); "
                        + evidence(target, members, agents));
            }
            next.stream().filter(a -> !out.contains(a)).forEach(out::add);
        }
        return out;
    }

    /** The members found and the agents there are, for an error that lets the reader fix the mismatch. */
    private static String evidence(TargetSpec target, List<Member> members, List<AgentHeartbeat> agents) {
        return "members of " + target.group() + ": " + (members.isEmpty() ? "none" : members.toString())
                + "; agents of the target: " + agents.stream().map(a -> a.agentId() + " ("
                + (a.labels().containsKey(TargetSpec.CLIENT_ID_LABEL) || !a.labels().containsKey(TargetSpec.HOST_LABEL)
                        ? TargetSpec.CLIENT_ID_LABEL + "=" + a.labels().getOrDefault(TargetSpec.CLIENT_ID_LABEL, "none")
                        : TargetSpec.HOST_LABEL + "=" + a.labels().get(TargetSpec.HOST_LABEL)) + ")")
                .toList();
    }

    /** A target resolved from a consumer group: the agents beside the members picked, and the members. */
    public record Resolved(List<AgentHeartbeat> agents, List<Member> members) {
    }

    /** How often a consumer-group target is tried again while its agents may still be starting. */
    static final Duration GROUP_RETRY = Duration.ofMillis(500);

    /**
     * Resolves a consumer-group target, trying again every {@link #GROUP_RETRY} until {@code wait}
     * has passed on {@code time}'s clock: agents may still be starting beside the members. Throws the last
     * reason when it never resolves.
     */
    public Resolved resolveWithin(String targetName, TargetSpec target, Supplier<List<AgentHeartbeat>> live,
                                  MemberLookup group, Duration wait, Scheduler time)
            throws InfrastructureException, InterruptedException {
        return resolveWithin(targetName, target, live, group, NO_CLUSTER, wait, time);
    }

    /** As {@link #resolveWithin(String, TargetSpec, Supplier, MemberLookup, Duration, Scheduler)}, for broker picks too. */
    public Resolved resolveWithin(String targetName, TargetSpec target, Supplier<List<AgentHeartbeat>> live,
                                  MemberLookup group, BrokerLookup cluster, Duration wait, Scheduler time)
            throws InfrastructureException, InterruptedException {
        Instant deadline = time.clock().instant().plus(wait);
        while (true) {
            try {
                List<Member> members = target.pick().byGroup() ? group.members() : List.of();
                return new Resolved(resolve(targetName, target, live.get(), () -> members, cluster), members);
            } catch (InfrastructureException e) {
                if (!time.clock().instant().isBefore(deadline)) {
                    throw e;
                }
                time.sleep(GROUP_RETRY);
            }
        }
    }
}

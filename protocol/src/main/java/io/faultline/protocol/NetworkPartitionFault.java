package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Cuts traffic between the agent's host and some peers with iptables rules tagged with the
 * command id.
 *
 * @param peers          addresses (and optionally a port) to cut off
 * @param brokers        also cut off the Kafka brokers the agent itself talks to
 * @param cutControlLink when false (the default) the agent's own connections to Kafka stay open;
 *                       when true they are cut too, and only the lease ends the fault
 * @param netnsOf        where set, the fault is applied inside the network namespace of this
 *                       process (a pod's, entered through {@code /proc/PID/ns/net}) rather than
 *                       the agent's own; an empty selector names the agent's service
 */
public record NetworkPartitionFault(Direction direction, PacketAction action, List<Peer> peers, Boolean brokers,
                                    Boolean cutControlLink,
                                    @JsonInclude(JsonInclude.Include.NON_NULL) ProcessSelector netnsOf)
        implements FaultSpec {
    public static final String TYPE = "network.partition";

    public NetworkPartitionFault {
        direction = direction == null ? Direction.BOTH : direction;
        action = action == null ? PacketAction.DROP : action;
        peers = Checks.copy(peers);
        // Absent means false, as documented: a scenario need not spell out either.
        brokers = Boolean.TRUE.equals(brokers);
        cutControlLink = Boolean.TRUE.equals(cutControlLink);
        if (peers.isEmpty() && !brokers) {
            throw new InvalidFieldException("peers", "name at least one peer, or set brokers: true");
        }
    }

    /** The fault in the agent's own network namespace. */
    public NetworkPartitionFault(Direction direction, PacketAction action, List<Peer> peers, boolean brokers, boolean cutControlLink) {
        this(direction, action, peers, brokers, cutControlLink, null);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return netnsOf == null ? List.of(Capability.IPTABLES) : List.of(Capability.IPTABLES, Capability.NETNS);
    }
}

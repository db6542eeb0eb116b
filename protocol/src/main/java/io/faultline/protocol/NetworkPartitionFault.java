package io.faultline.protocol;

import java.util.List;

/**
 * Cuts traffic between the agent's host and some peers with iptables rules tagged with the
 * command id.
 *
 * @param peers          addresses (and optionally a port) to cut off
 * @param brokers        also cut off the Kafka brokers the agent itself talks to
 * @param cutControlLink when false (the default) the agent's own connections to Kafka stay open;
 *                       when true they are cut too, and only the lease ends the fault
 */
public record NetworkPartitionFault(Direction direction, PacketAction action, List<Peer> peers, boolean brokers,
                                    boolean cutControlLink) implements FaultSpec {
    public static final String TYPE = "network.partition";

    public NetworkPartitionFault {
        direction = direction == null ? Direction.BOTH : direction;
        action = action == null ? PacketAction.DROP : action;
        peers = Checks.copy(peers);
        if (peers.isEmpty() && !brokers) {
            throw new InvalidFieldException("peers", "name at least one peer, or set brokers: true");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of(Capability.IPTABLES);
    }
}

package io.faultline.protocol;

import java.util.List;

/**
 * Makes a Redis server unreachable: a partition on its port, on the host of the agent that runs
 * it (the Redis host itself, or a client's host).
 *
 * @param address host:port of the server (only the port is used); null for the agent's own Redis
 */
public record RedisOutageFault(String address, PacketAction action) implements FaultSpec {
    public static final String TYPE = "redis.outage";

    public RedisOutageFault {
        address = RedisAddress.check("address", address);
        action = action == null ? PacketAction.DROP : action;
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

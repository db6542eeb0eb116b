package io.faultline.protocol;

import java.util.List;

/**
 * Slows the path to a Redis server: a bandwidth cap on its port.
 *
 * @param address host:port of the server (only the port is used); null for the agent's own Redis
 * @param device  the network interface; null for every non-loopback interface with an IPv4 address
 */
public record RedisThrottleFault(String address, String rate, String device) implements FaultSpec {
    public static final String TYPE = "redis.throttle";

    public RedisThrottleFault {
        address = RedisAddress.check("address", address);
        Bandwidth.bitsPerSecond("rate", rate);
        device = Checks.device("device", device);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of(Capability.HTB);
    }
}

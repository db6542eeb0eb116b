package io.faultline.protocol;

import java.util.List;

/**
 * Drops {@code percent} of the packets leaving the agent's host at random, with tc netem.
 *
 * @param device the network interface; null for every non-loopback interface with an IPv4 address
 */
public record NetworkLossFault(String device, double percent) implements FaultSpec {
    public static final String TYPE = "network.loss";

    public NetworkLossFault {
        device = Checks.device("device", device);
        if (!(percent > 0 && percent <= 100)) {
            throw new InvalidFieldException("percent", "must be in (0, 100], got " + percent);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of(Capability.NETEM);
    }
}

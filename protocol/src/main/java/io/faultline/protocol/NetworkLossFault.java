package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Drops {@code percent} of the packets leaving the agent's host at random, with tc netem.
 *
 * @param device the network interface; null for every non-loopback interface with an IPv4 address
 * @param netnsOf where set, the fault is applied inside the network namespace of this process (a
 *                pod's, entered through {@code /proc/PID/ns/net}) rather than the agent's own; an
 *                empty selector names the agent's service
 */
public record NetworkLossFault(String device, double percent,
                               @JsonInclude(JsonInclude.Include.NON_NULL) ProcessSelector netnsOf)
        implements FaultSpec {
    public static final String TYPE = "network.loss";

    public NetworkLossFault {
        device = Checks.device("device", device);
        if (!(percent > 0 && percent <= 100)) {
            throw new InvalidFieldException("percent", "must be in (0, 100], got " + percent);
        }
    }

    /** The fault in the agent's own network namespace. */
    public NetworkLossFault(String device, double percent) {
        this(device, percent, null);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return netnsOf == null ? List.of(Capability.NETEM) : List.of(Capability.NETEM, Capability.NETNS);
    }
}

package io.faultline.protocol;

import java.util.List;

/**
 * Caps the bandwidth of TCP traffic on some ports (source or destination) leaving the agent's
 * host, with a tc htb class and u32 filters.
 *
 * @param device the network interface; null for every non-loopback interface with an IPv4 address
 * @param rate   e.g. {@code 1mbit}
 */
public record NetworkBandwidthFault(String device, String rate, List<Integer> ports) implements FaultSpec {
    public static final String TYPE = "network.bandwidth";

    public NetworkBandwidthFault {
        device = Checks.device("device", device);
        Bandwidth.bitsPerSecond("rate", rate);
        ports = Checks.copy(ports);
        if (ports.isEmpty()) {
            throw new InvalidFieldException("ports", "name at least one port");
        }
        ports.forEach(p -> Checks.port("ports", p));
    }

    public long bitsPerSecond() {
        return Bandwidth.bitsPerSecond("rate", rate);
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

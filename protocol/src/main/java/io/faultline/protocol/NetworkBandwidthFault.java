package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Caps the bandwidth of TCP traffic on some ports (source or destination) leaving the agent's
 * host, with a tc htb class and u32 filters.
 *
 * @param device the network interface; null for every non-loopback interface with an IPv4 address
 * @param rate   e.g. {@code 1mbit}
 * @param netnsOf where set, the fault is applied inside the network namespace of this process (a
 *                pod's, entered through {@code /proc/PID/ns/net}) rather than the agent's own; an
 *                empty selector names the agent's service
 */
public record NetworkBandwidthFault(String device, String rate, List<Integer> ports,
                                    @JsonInclude(JsonInclude.Include.NON_NULL) ProcessSelector netnsOf)
        implements FaultSpec {
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

    /** The fault in the agent's own network namespace. */
    public NetworkBandwidthFault(String device, String rate, List<Integer> ports) {
        this(device, rate, ports, null);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return netnsOf == null ? List.of(Capability.HTB) : List.of(Capability.HTB, Capability.NETNS);
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * Delays every packet leaving the agent's host by {@code delay} (plus or minus {@code jitter})
 * with tc netem.
 *
 * @param device the network interface; null for every non-loopback interface with an IPv4 address
 * @param netnsOf where set, the fault is applied inside the network namespace of this process (a
 *                pod's, entered through {@code /proc/PID/ns/net}) rather than the agent's own; an
 *                empty selector names the agent's service
 */
public record NetworkDelayFault(String device, Duration delay, Duration jitter,
                                @JsonInclude(JsonInclude.Include.NON_NULL) ProcessSelector netnsOf)
        implements FaultSpec {
    public static final String TYPE = "network.delay";

    public NetworkDelayFault {
        device = Checks.device("device", device);
        Checks.positive("delay", delay);
        jitter = jitter == null ? Duration.ZERO : Checks.notNegative("jitter", jitter);
    }

    /** The fault in the agent's own network namespace. */
    public NetworkDelayFault(String device, Duration delay, Duration jitter) {
        this(device, delay, jitter, null);
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

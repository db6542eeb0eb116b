package io.faultline.protocol;

import java.time.Duration;
import java.util.List;

/**
 * Delays every packet leaving the agent's host by {@code delay} (plus or minus {@code jitter})
 * with tc netem.
 *
 * @param device the network interface; null for every non-loopback interface with an IPv4 address
 */
public record NetworkDelayFault(String device, Duration delay, Duration jitter) implements FaultSpec {
    public static final String TYPE = "network.delay";

    public NetworkDelayFault {
        device = Checks.device("device", device);
        Checks.positive("delay", delay);
        jitter = jitter == null ? Duration.ZERO : Checks.notNegative("jitter", jitter);
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

package io.faultline.scenario;

import io.faultline.protocol.Checks;
import io.faultline.protocol.FaultSpec;
import java.time.Duration;

/**
 * Inject {@code fault} into the agents chosen by the named target.
 *
 * @param lease how long an agent keeps the fault without hearing from the orchestrator
 */
public record InjectSpec(String target, FaultSpec fault, Duration lease) {
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    public InjectSpec {
        Checks.required("target", target);
        Checks.required("fault", fault);
        lease = lease == null ? DEFAULT_LEASE : Checks.positive("lease", lease);
    }
}

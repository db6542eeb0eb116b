package io.faultline.protocol;

import java.time.Duration;
import java.time.Instant;

/**
 * Apply a fault. The agent keeps it for at most {@code lease} after applying it, then undoes it
 * on its own, so a fault cannot outlive an orchestrator that stopped healing it.
 */
public record ApplyCommand(String commandId, String runId, Target target, FaultSpec fault,
                           Instant issuedAt, Instant notAfter, Duration lease) implements Command {
    public ApplyCommand {
        Checks.id("commandId", commandId);
        Checks.id("runId", runId);
        Checks.required("target", target);
        Checks.required("fault", fault);
        Checks.required("issuedAt", issuedAt);
        Checks.required("notAfter", notAfter);
        Checks.positive("lease", lease);
        Checks.notBefore("notAfter", notAfter, issuedAt);
    }
}

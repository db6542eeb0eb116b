package io.faultline.protocol;

import java.time.Duration;
import java.time.Instant;

/**
 * Dry run of an {@link ApplyCommand}: the agent runs every check it would run before applying
 * (signature, expiry, policy, driver, host capabilities) and answers {@code checked} or
 * {@code rejected}, changing nothing. {@code faultline plan} sends these.
 */
public record CheckCommand(String commandId, String runId, Target target, FaultSpec fault,
                           Instant issuedAt, Instant notAfter, Duration lease) implements Command {
    public CheckCommand {
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

package io.faultline.protocol;

import java.time.Duration;
import java.time.Instant;

/**
 * Keep the fault applied by {@code faultCommandId} for another {@code lease}, counted from when
 * the agent receives this. An orchestrator that stops renewing (killed, cut off) lets the fault lapse.
 */
public record RenewCommand(String commandId, String runId, Target target, String faultCommandId,
                           Instant issuedAt, Instant notAfter, Duration lease) implements Command {
    public RenewCommand {
        Checks.id("commandId", commandId);
        Checks.id("runId", runId);
        Checks.required("target", target);
        Checks.id("faultCommandId", faultCommandId);
        Checks.required("issuedAt", issuedAt);
        Checks.required("notAfter", notAfter);
        Checks.positive("lease", lease);
        Checks.notBefore("notAfter", notAfter, issuedAt);
    }
}

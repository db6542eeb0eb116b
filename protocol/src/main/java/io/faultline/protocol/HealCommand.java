package io.faultline.protocol;

import java.time.Instant;

/** Undo the fault applied by command {@code faultCommandId}. Healing an unknown or healed fault is harmless. */
public record HealCommand(String commandId, String runId, Target target, String faultCommandId,
                          Instant issuedAt, Instant notAfter) implements Command {
    public HealCommand {
        Checks.id("commandId", commandId);
        Checks.id("runId", runId);
        Checks.required("target", target);
        Checks.id("faultCommandId", faultCommandId);
        Checks.required("issuedAt", issuedAt);
        Checks.required("notAfter", notAfter);
        Checks.notBefore("notAfter", notAfter, issuedAt);
    }
}

package io.faultline.verifier;

import java.time.Instant;

/**
 * When one fault was injected and healed, on the orchestrator's clock: {@code invokedAt} just
 * before the command was published, {@code appliedAt} when the agent's report arrived.
 */
public record FaultWindow(String name, String commandId, String agentId, String faultType, Instant invokedAt,
                          Instant appliedAt, Instant healInvokedAt, Instant undoneAt) {
}

package io.faultline.verifier;

import java.time.Instant;

/**
 * A canary event the workload produced. Times are on the orchestrator's clock.
 *
 * @param ackedAt when the broker acknowledged it; null if it never did (then it cannot be LOST)
 */
public record SentEvent(long seq, String id, Instant sentAt, Instant ackedAt) {
    public boolean acknowledged() {
        return ackedAt != null;
    }
}

package io.faultline.verifier;

import java.time.Instant;

/**
 * A canary event the workload produced. Times are on the orchestrator's clock.
 *
 * @param key       its record key; events of one key must come out in send order
 * @param ackedAt   when the broker acknowledged it; null if it never did (then it cannot be LOST)
 * @param partition the input partition the broker wrote it to; null if not acknowledged
 * @param offset    its input offset; null if not acknowledged
 */
public record SentEvent(long seq, String id, String key, Instant sentAt, Instant ackedAt, Integer partition,
                        Long offset) {
    public boolean acknowledged() {
        return ackedAt != null;
    }
}

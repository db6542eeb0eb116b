package io.faultline.verifier;

import java.time.Instant;

/**
 * One arrival of a canary result on the output topic, on the orchestrator's clock.
 *
 * @param inputOffset the input offset the system under test says it processed; null if not reported
 */
public record Observation(String id, Instant observedAt, int partition, long offset, String processedBy,
                          Long inputOffset) {
}

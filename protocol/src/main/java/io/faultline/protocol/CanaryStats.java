package io.faultline.protocol;

/**
 * Counts over the canary events of a run.
 *
 * @param acknowledged sent and acknowledged by the broker: only these can be LOST
 * @param observed     distinct canary events seen on the output topic
 */
public record CanaryStats(long sent, long acknowledged, long observed, long lost, long duplicated,
                          long unexpected, double ratePerSecond) {
}

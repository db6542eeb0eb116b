package io.faultline.protocol;

/**
 * Counts over the canary events of a run (definitions in the README's verifier section).
 *
 * @param acknowledged sent and acknowledged by the broker: only these can be LOST or UNSEEN
 * @param observed     distinct canary events seen on the output topic
 * @param lost         acknowledged, never observed, and the system under test committed past them
 * @param unseen       acknowledged, not observed by the deadline, with no proof of loss
 * @param reordered    observed after a later event of the same key
 */
public record CanaryStats(long sent, long acknowledged, long observed, long lost, long unseen, long duplicated,
                          long unexpected, long reordered, double ratePerSecond) {
}

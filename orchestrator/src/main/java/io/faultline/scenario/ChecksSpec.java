package io.faultline.scenario;

import java.time.Duration;

/**
 * The thresholds the verdict applies.
 *
 * @param failover   the largest acceptable failover upper bound; null to measure without judging
 * @param lost       the largest acceptable number of LOST events
 * @param duplicated the largest acceptable number of DUPLICATE events
 */
public record ChecksSpec(Duration failover, Long lost, Long duplicated) {
    public static final ChecksSpec DEFAULTS = new ChecksSpec(null, 0L, 0L);

    public ChecksSpec {
        if (failover != null) {
            io.faultline.protocol.Checks.positive("failover", failover);
        }
        lost = lost == null ? 0L : nonNegative("lost", lost);
        duplicated = duplicated == null ? 0L : nonNegative("duplicated", duplicated);
    }

    private static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new io.faultline.protocol.InvalidFieldException(field, "must not be negative");
        }
        return value;
    }
}

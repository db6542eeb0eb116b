package io.faultline.scenario;

import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;

/**
 * The thresholds the verdict applies.
 *
 * @param failover        the largest acceptable failover upper bound; null to measure without judging
 * @param lost            the largest acceptable number of LOST events
 * @param duplicated      the largest acceptable number of DUPLICATE events
 * @param latencyRecovery how soon after heal canary latency must be back to its pre-fault level;
 *                        null to require only that it comes back before the run ends
 * @param circuit         a circuit breaker of the system under test that must open during the
 *                        fault and close again after heal; null to not judge circuits
 * @param unseen          the largest acceptable number of UNSEEN events (not observed by the
 *                        deadline, no proof of loss)
 * @param reordered       the largest acceptable number of REORDERED events
 */
public record ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery,
                         CircuitCheck circuit, Long unseen, Long reordered) {
    public static final ChecksSpec DEFAULTS = new ChecksSpec(null, 0L, 0L, null, null, null, null);

    public ChecksSpec {
        if (failover != null) {
            Checks.positive("failover", failover);
        }
        if (latencyRecovery != null) {
            Checks.positive("latencyRecovery", latencyRecovery);
        }
        lost = lost == null ? 0L : nonNegative("lost", lost);
        duplicated = duplicated == null ? 0L : nonNegative("duplicated", duplicated);
        unseen = unseen == null ? 0L : nonNegative("unseen", unseen);
        reordered = reordered == null ? 0L : nonNegative("reordered", reordered);
    }

    public ChecksSpec(Duration failover, Long lost, Long duplicated) {
        this(failover, lost, duplicated, null, null, null, null);
    }

    public ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery, CircuitCheck circuit) {
        this(failover, lost, duplicated, latencyRecovery, circuit, null, null);
    }

    /**
     * @param name         the circuit's name as the service reports it, e.g. {@code redis}
     * @param closesWithin how soon after heal every breaker that opened must be closed again
     */
    public record CircuitCheck(String name, Duration closesWithin) {
        public CircuitCheck {
            Checks.id("name", name);
            closesWithin = closesWithin == null ? Duration.ofSeconds(30) : Checks.positive("closesWithin", closesWithin);
        }
    }

    private static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new InvalidFieldException(field, "must not be negative");
        }
        return value;
    }
}

package io.faultline.scenario;

import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;
import java.util.List;

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
 * @param alerts          alerts that must fire and resolve, or must not fire
 */
public record ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery,
                         CircuitCheck circuit, Long unseen, Long reordered, List<AlertCheck> alerts) {
    public static final ChecksSpec DEFAULTS = new ChecksSpec(null, 0L, 0L, null, null, null, null, null);

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
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
    }

    public ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery, CircuitCheck circuit,
                      Long unseen, Long reordered) {
        this(failover, lost, duplicated, latencyRecovery, circuit, unseen, reordered, null);
    }

    /**
     * An alert (by {@code alertname}) that must fire within {@code firesWithin} of the first
     * injection and resolve within {@code resolvesWithin} of recovery (or of heal, when the fault
     * caused no outage); or, with {@code mustNotFire}, must not fire at all during the run.
     *
     * @param maxFlaps how many times it may fire again after the first; null to only report it
     */
    public record AlertCheck(String name, Duration firesWithin, Duration resolvesWithin, Boolean mustNotFire,
                             Integer maxFlaps) {
        public AlertCheck {
            Checks.required("name", name);
            mustNotFire = mustNotFire != null && mustNotFire;
            if (mustNotFire && (firesWithin != null || resolvesWithin != null)) {
                throw new InvalidFieldException("mustNotFire", "cannot be combined with firesWithin or resolvesWithin");
            }
            if (!mustNotFire && firesWithin == null && resolvesWithin == null) {
                throw new InvalidFieldException("", "an alert check needs firesWithin, resolvesWithin or mustNotFire: true");
            }
            if (firesWithin != null) {
                Checks.positive("firesWithin", firesWithin);
            }
            if (resolvesWithin != null) {
                Checks.positive("resolvesWithin", resolvesWithin);
            }
            if (maxFlaps != null && maxFlaps < 0) {
                throw new InvalidFieldException("maxFlaps", "must not be negative");
            }
        }
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

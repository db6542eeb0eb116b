package io.faultline.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.io.IOException;
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
 * @param reordered       the largest acceptable number of REORDERED events; {@link #OFF} (written
 *                        {@code off}) to not judge order
 * @param alerts          alerts that must fire and resolve, or must not fire
 * @param latency         canary latency percentiles that must hold over the run and in its phases;
 *                        null to report the percentiles without judging them
 * @param throughput      how much of its steady-state throughput the system must keep during a fault
 * @param healthy         when the targeted services must be healthy again after heal; null: by the
 *                        end of the run
 * @param regression      how much worse than its recent passed runs this run may be; null to not compare
 * @param rejoin          the longest acceptable disruption after a fault is undone (a restarted
 *                        member rejoining its group); null to report it without judging
 * @param kafka           limits on what the Kafka cluster did during each fault; null to report
 *                        without judging
 */
public record ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery,
                         CircuitCheck circuit, Long unseen,
                         @JsonDeserialize(using = ChecksSpec.CountOrOff.class) Long reordered, List<AlertCheck> alerts,
                         LatencyLimits latency, ThroughputLimit throughput, Healthy healthy, Regression regression,
                         Duration rejoin, KafkaLimits kafka) {
    public static final ChecksSpec DEFAULTS = new ChecksSpec(null, 0L, 0L, null, null, null, null, null);
    /** {@code reordered: off}: order is not judged. */
    public static final long OFF = Long.MAX_VALUE;

    public ChecksSpec {
        if (failover != null) {
            Checks.positive("failover", failover);
        }
        if (latencyRecovery != null) {
            Checks.positive("latencyRecovery", latencyRecovery);
        }
        if (rejoin != null) {
            Checks.positive("rejoin", rejoin);
        }
        lost = lost == null ? 0L : nonNegative("lost", lost);
        duplicated = duplicated == null ? 0L : nonNegative("duplicated", duplicated);
        unseen = unseen == null ? 0L : nonNegative("unseen", unseen);
        reordered = reordered == null ? 0L : nonNegative("reordered", reordered);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
    }

    public ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery, CircuitCheck circuit,
                      Long unseen, Long reordered, List<AlertCheck> alerts, LatencyLimits latency,
                      ThroughputLimit throughput, Healthy healthy, Regression regression, Duration rejoin) {
        this(failover, lost, duplicated, latencyRecovery, circuit, unseen, reordered, alerts, latency, throughput, healthy,
                regression, rejoin, null);
    }

    /**
     * What the cluster may do during a fault ({@code checks.kafka}): each leader election done
     * within {@code leaderElection} of what caused it (the fault, or its heal), no partition left
     * without a leader; each partition under-replicated for at most {@code underReplicated}, and whole
     * again by the end of the run; each rebalance of the system under test's consumer group over
     * within {@code rebalance}, and none still going at the end. A limit left out is reported
     * without being judged.
     */
    public record KafkaLimits(Duration leaderElection, Duration underReplicated, Duration rebalance) {
        public KafkaLimits {
            if (leaderElection != null) {
                Checks.positive("kafka.leaderElection", leaderElection);
            }
            if (underReplicated != null) {
                Checks.positive("kafka.underReplicated", underReplicated);
            }
            if (rebalance != null) {
                Checks.positive("kafka.rebalance", rebalance);
            }
        }

        public KafkaLimits(Duration leaderElection, Duration underReplicated) {
            this(leaderElection, underReplicated, null);
        }
    }

    public ChecksSpec(Duration failover, Long lost, Long duplicated, Duration latencyRecovery, CircuitCheck circuit,
                      Long unseen, Long reordered, List<AlertCheck> alerts) {
        this(failover, lost, duplicated, latencyRecovery, circuit, unseen, reordered, alerts, null, null, null, null,
                null, null);
    }

    /** These checks with the service-level limits given. */
    public ChecksSpec withServiceLevels(LatencyLimits latency, ThroughputLimit throughput, Healthy healthy) {
        return new ChecksSpec(failover, lost, duplicated, latencyRecovery, circuit, unseen, reordered, alerts, latency,
                throughput, healthy, regression, rejoin, kafka);
    }

    /** These checks with a regression comparison. */
    public ChecksSpec withRegression(Regression regression) {
        return new ChecksSpec(failover, lost, duplicated, latencyRecovery, circuit, unseen, reordered, alerts, latency,
                throughput, healthy, regression, rejoin, kafka);
    }

    /** These checks with order not judged ({@code reordered: off}). */
    public ChecksSpec withoutOrder() {
        return new ChecksSpec(failover, lost, duplicated, latencyRecovery, circuit, unseen, OFF, alerts, latency,
                throughput, healthy, regression, rejoin, kafka);
    }

    /** Whether order is judged: not with {@code reordered: off}. */
    public boolean judgesOrder() {
        return reordered != OFF;
    }

    /** A count, or {@code off} for {@link #OFF}. */
    static final class CountOrOff extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            // YAML reads a bare off (or no, false) as false.
            if (p.currentToken() == JsonToken.VALUE_FALSE
                    || p.currentToken() == JsonToken.VALUE_STRING && "off".equalsIgnoreCase(p.getText().trim())) {
                return OFF;
            }
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            throw InvalidFormatException.from(p, "'" + p.getText() + "' is not a count: write a number of canaries, "
                    + "or off", p.getText(), Long.class);
        }
    }

    /** These checks with a limit on the disruption after heal. */
    public ChecksSpec withRejoin(Duration rejoin) {
        return new ChecksSpec(failover, lost, duplicated, latencyRecovery, circuit, unseen, reordered, alerts, latency,
                throughput, healthy, regression, rejoin, kafka);
    }

    /**
     * Compares the run with the median of the last {@code baseline} PASSED runs of the same scenario
     * on the verdicts topic: its failover bound and canary p99 may be at most {@code failover} and
     * {@code latencyP99} times theirs ({@code 1.5x} or {@code 1.5}). With fewer runs it says so and
     * does not fail.
     */
    public record Regression(String failover, String latencyP99, Integer baseline) {
        public Regression {
            if (failover == null && latencyP99 == null) {
                throw new InvalidFieldException("", "give failover or latencyP99 (a factor such as 1.5x)");
            }
            if (failover != null) {
                factor("failover", failover);
            }
            if (latencyP99 != null) {
                factor("latencyP99", latencyP99);
            }
            baseline = baseline == null ? 10 : baseline;
            if (baseline < 1 || baseline > 1000) {
                throw new InvalidFieldException("baseline", "must be between 1 and 1000 runs");
            }
        }

        /** The failover factor; null when not compared. */
        public Double failoverFactor() {
            return failover == null ? null : factor("failover", failover);
        }

        /** The p99 factor; null when not compared. */
        public Double latencyP99Factor() {
            return latencyP99 == null ? null : factor("latencyP99", latencyP99);
        }

        private static double factor(String field, String text) {
            String t = text.strip();
            t = t.endsWith("x") ? t.substring(0, t.length() - 1).strip() : t;
            double v;
            try {
                v = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new InvalidFieldException(field, "'" + text + "' is not a factor: write 1.5x or 1.5");
            }
            if (!(v >= 1 && v <= 100)) {
                throw new InvalidFieldException(field, "'" + text + "' must be between 1x and 100x");
            }
            return v;
        }
    }

    /**
     * Upper limits on canary latency percentiles (send to first observed result). The top-level
     * limits apply to the whole run; {@code before}, {@code during} and {@code after} to the steady
     * state before the first fault, to each fault while it is held, and to the time after each
     * heal. Every limit is optional.
     */
    public record LatencyLimits(Duration p50, Duration p95, Duration p99, Duration max, Percentiles before,
                                Percentiles during, Percentiles after) {
        public LatencyLimits {
            Percentiles.check("", p50, p95, p99, max);
            if (p50 == null && p95 == null && p99 == null && max == null && before == null && during == null
                    && after == null) {
                throw new InvalidFieldException("", "give at least one limit: p50, p95, p99 or max (for the whole run), "
                        + "or before, during or after with their own");
            }
        }

        /** The limits on the whole run; null when none is given. */
        public Percentiles run() {
            return p50 == null && p95 == null && p99 == null && max == null ? null
                    : new Percentiles(p50, p95, p99, max);
        }
    }

    /** Limits on latency percentiles; at least one is given. */
    public record Percentiles(Duration p50, Duration p95, Duration p99, Duration max) {
        public Percentiles {
            check("", p50, p95, p99, max);
            if (p50 == null && p95 == null && p99 == null && max == null) {
                throw new InvalidFieldException("", "give at least one of p50, p95, p99, max");
            }
        }

        static void check(String at, Duration p50, Duration p95, Duration p99, Duration max) {
            String[] names = {"p50", "p95", "p99", "max"};
            Duration[] values = {p50, p95, p99, max};
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null) {
                    Checks.positive(at + names[i], values[i]);
                }
            }
        }
    }

    /**
     * The share of the steady-state throughput (canaries completed per second before the first
     * fault) the system must keep while each fault is held, as {@code 90%} or {@code 0.9}.
     */
    public record ThroughputLimit(String duringFault) {
        public ThroughputLimit {
            Checks.required("duringFault", duringFault);
            ratio(duringFault);
        }

        /** The limit as a fraction. */
        public double ratio() {
            return ratio(duringFault);
        }

        private static double ratio(String text) {
            String t = text.strip();
            boolean percent = t.endsWith("%");
            double v;
            try {
                v = Double.parseDouble(percent ? t.substring(0, t.length() - 1).strip() : t);
            } catch (NumberFormatException e) {
                throw new InvalidFieldException("duringFault", "'" + text + "' is not a share: write 90% or 0.9");
            }
            v = percent ? v / 100 : v;
            if (!(v > 0 && v <= 1)) {
                throw new InvalidFieldException("duringFault", "'" + text + "' must be above 0 and at most 100%");
            }
            return v;
        }
    }

    /**
     * When the targeted services must be healthy again after heal: the consumer group a target
     * was picked from has its members back, the service an agent supervises runs, and (if named)
     * a steady-state probe holds.
     *
     * @param within how soon after heal; null: by the end of the run
     * @param probe  a probe (from {@code probes:}) that must hold from then on; null for none
     */
    public record Healthy(Duration within, String probe) {
        public Healthy {
            if (within != null) {
                Checks.positive("within", within);
            }
            if (probe != null) {
                Checks.id("probe", probe);
            }
        }
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

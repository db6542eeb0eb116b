package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts over the canary events of a run (definitions in the README's verifier section).
 *
 * @param acknowledged sent and acknowledged by the broker: only these can be LOST or UNSEEN
 * @param observed     distinct canary events seen on the output topic
 * @param lost         acknowledged, never observed, and the system under test committed past them
 * @param unseen       acknowledged, not observed by the deadline, with no proof of loss
 * @param reordered    observed after a later event of the same key
 * @param run          latency percentiles and throughput over the whole run; null when no canary completed
 * @param phases       the same per phase of the run: {@code before} the first fault, {@code during F}
 *                     while fault F was held, {@code after F} from its heal to the next fault or the end
 * @param sentPerSecond the rate the canary was really sent at, over the sending window; below
 *                      {@code ratePerSecond} when the producer fell behind its target
 * @param sendErrors    canaries whose send failed for good, by Kafka error name (NOT_ENOUGH_REPLICAS,
 *                      NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, ...); empty when none failed
 * @param truncated     acknowledged canaries and observed results no longer in the log where Kafka
 *                      said they were when read back after the drain; null when not read back
 * @param sendRetries   produce requests of the canary the client retried, by the Kafka error it
 *                      retried (NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER, ...), as the client's
 *                      own log reports them: a send retried until its delivery timeout fails as
 *                      REQUEST_TIMED_OUT in {@code sendErrors}, and this says what it was retrying
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CanaryStats(long sent, long acknowledged, long observed, long lost, long unseen, long duplicated,
                          long unexpected, long reordered, double ratePerSecond, Phase run,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Phase> phases, Double sentPerSecond,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Long> sendErrors,
                          Long truncated,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Long> sendRetries) {
    public CanaryStats {
        phases = phases == null ? List.of() : List.copyOf(phases);
        sendErrors = sendErrors == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sendErrors));
        sendRetries = sendRetries == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sendRetries));
    }

    public CanaryStats(long sent, long acknowledged, long observed, long lost, long unseen, long duplicated,
                       long unexpected, long reordered, double ratePerSecond, Phase run, List<Phase> phases,
                       Double sentPerSecond, Map<String, Long> sendErrors, Long truncated) {
        this(sent, acknowledged, observed, lost, unseen, duplicated, unexpected, reordered, ratePerSecond, run, phases,
                sentPerSecond, sendErrors, truncated, null);
    }

    public CanaryStats(long sent, long acknowledged, long observed, long lost, long unseen, long duplicated,
                       long unexpected, long reordered, double ratePerSecond, Phase run, List<Phase> phases,
                       Double sentPerSecond) {
        this(sent, acknowledged, observed, lost, unseen, duplicated, unexpected, reordered, ratePerSecond, run, phases,
                sentPerSecond, null, null);
    }

    public CanaryStats(long sent, long acknowledged, long observed, long lost, long unseen, long duplicated,
                       long unexpected, long reordered, double ratePerSecond, Phase run, List<Phase> phases) {
        this(sent, acknowledged, observed, lost, unseen, duplicated, unexpected, reordered, ratePerSecond, run, phases,
                null);
    }

    /** True when the canary was sent at less than 95% of its target rate. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean fellBehind() {
        return sentPerSecond != null && sentPerSecond < 0.95 * ratePerSecond;
    }

    public CanaryStats(long sent, long acknowledged, long observed, long lost, long unseen, long duplicated,
                       long unexpected, long reordered, double ratePerSecond) {
        this(sent, acknowledged, observed, lost, unseen, duplicated, unexpected, reordered, ratePerSecond, null, null,
                null);
    }

    /**
     * One stretch of the run, by canary send time: how many canaries sent in it completed, their
     * latency percentiles (send to first observed result, in milliseconds; null when none
     * completed), and the completions per second observed in it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Phase(String name, Instant from, Instant to, long sent, long completed, Long p50Ms, Long p95Ms,
                        Long p99Ms, Long maxMs, double throughputPerSecond) {
        public Phase {
            Checks.required("name", name);
        }
    }
}

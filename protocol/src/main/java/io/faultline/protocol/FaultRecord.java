package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What happened to one injected fault, on the orchestrator's clock.
 *
 * @param invokedAt     just before the apply command was published (t_invoke)
 * @param appliedAt     when the agent's "applied" report was received (t_ack); null if never applied
 * @param healInvokedAt when the heal command was published; null if never healed by the orchestrator
 * @param undoneAt      when the agent's "undone" report was received; null if not seen
 * @param failover      the outage this fault caused and its recovery; null when not measured
 * @param latency       how canary end-to-end latency changed; null when too few canaries were seen
 * @param kafka         what the Kafka cluster did from this fault until the next (or the end of the
 *                      run), as its own metadata said; null when the cluster was not watched
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FaultRecord(String name, String commandId, String agentId, String faultType,
                          Instant invokedAt, Instant appliedAt, Instant healInvokedAt, Instant undoneAt,
                          Failover failover, Latency latency, Kafka kafka) {
    public FaultRecord {
        Checks.required("name", name);
        Checks.id("commandId", commandId);
        Checks.required("faultType", faultType);
        Checks.required("invokedAt", invokedAt);
    }

    public FaultRecord(String name, String commandId, String agentId, String faultType, Instant invokedAt,
                       Instant appliedAt, Instant healInvokedAt, Instant undoneAt, Failover failover, Latency latency) {
        this(name, commandId, agentId, faultType, invokedAt, appliedAt, healInvokedAt, undoneAt, failover, latency, null);
    }

    /**
     * What the cluster did, sampled every {@code resolutionMs}: every time is good to that.
     *
     * @param elections       each partition of the canary topics whose leader changed, in time order
     * @param underReplicated each stretch a partition spent with fewer in-sync replicas than replicas
     * @param controllers     each change of the KRaft quorum's leader (the active controller)
     * @param rebalances      each rebalance of the system under test's consumer group, in time order
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Kafka(List<Election> elections, List<UnderReplication> underReplicated,
                        List<ControllerChange> controllers, long resolutionMs, List<Rebalance> rebalances) {
        public Kafka {
            elections = elections == null ? List.of() : List.copyOf(elections);
            underReplicated = underReplicated == null ? List.of() : List.copyOf(underReplicated);
            controllers = controllers == null ? List.of() : List.copyOf(controllers);
            rebalances = rebalances == null ? List.of() : List.copyOf(rebalances);
        }

        public Kafka(List<Election> elections, List<UnderReplication> underReplicated,
                     List<ControllerChange> controllers, long resolutionMs) {
            this(elections, underReplicated, controllers, resolutionMs, List.of());
        }
    }

    /**
     * Consumer group {@code group}, on the {@code protocol} rebalance protocol ({@code classic}, or
     * {@code consumer} for KIP-848), rebalanced from {@code from} (the first look that found it not
     * stable, or that found a new group epoch or assignment) until {@code until} (the first look
     * that found it stable again; null: not by the end of the run), {@code ms} in all, sampled
     * every {@code resolutionMs}: 0 ms is a rebalance over between two looks. Its members went from
     * {@code membersBefore} to {@code membersAfter}, its group epoch (KIP-848 groups only) from
     * {@code epochBefore} to {@code epochAfter}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rebalance(String group, String protocol, Instant from, Instant until, long ms, long resolutionMs,
                            int membersBefore, int membersAfter, Integer epochBefore, Integer epochAfter) {
    }

    /**
     * A partition got a new leader ({@code to}) in place of {@code from}; {@code to} null when it
     * still had none when the window ended.
     *
     * @param tookMs       from what caused it (the fault taking effect, or its heal) to the new leader
     * @param leaderlessMs how long the partition had no leader at all
     * @param fromEpoch    the old leader's epoch, from the canary records read back (null: not seen there)
     * @param toEpoch      the new leader's epoch, likewise
     * @param writeGapMs   from the last canary acknowledged in {@code fromEpoch} to the first in
     *                     {@code toEpoch}: how long the partition took no write, as its own log says
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Election(String partition, Integer from, Integer to, Instant at, long tookMs, long leaderlessMs,
                           Integer fromEpoch, Integer toEpoch, Long writeGapMs) {
        public Election(String partition, Integer from, Integer to, Instant at, long tookMs, long leaderlessMs) {
            this(partition, from, to, at, tookMs, leaderlessMs, null, null, null);
        }

        /** The same election, with what the log's leader epochs say of it. */
        public Election withLog(int fromEpoch, int toEpoch, long writeGapMs) {
            return new Election(partition, from, to, at, tookMs, leaderlessMs, fromEpoch, toEpoch, writeGapMs);
        }
    }

    /**
     * Partition {@code partition} had as few as {@code minIsr} of its {@code replicas} in sync from
     * {@code from} until {@code until} (null: still when the run ended), {@code ms} in all.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UnderReplication(String partition, int minIsr, int replicas, Instant from, Instant until, long ms) {
    }

    /** The active controller went from node {@code from} to {@code to} (null: no quorum leader seen). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ControllerChange(Integer from, Integer to, Instant at) {
    }

    /**
     * Failover as a bound: recovery happened {@code [lowerMs, upperMs]} after the fault took
     * effect, with {@code resolutionMs} the canary interval.
     *
     * @param outageStart       the last canary completion before the outage
     * @param recoveredAt       the first canary completion after it (t_rec), null if none
     * @param lowerMs           t_rec - t_ack
     * @param upperMs           t_rec - t_invoke
     * @param availabilityGapMs longest interval without a completed canary in the fault window
     * @param catchUpMs         from t_rec until end-to-end latency stayed back at its pre-fault level
     *                          (the backlog was worked off); null when there was no outage, no
     *                          baseline, or it never came back
     * @param partitions        with canaries on several input partitions, each partition the fault
     *                          stopped and its longest gap; the figures above are the worst of them.
     *                          Empty with one partition, or when no partition stopped
     * @param afterHeal         the first disruption that began after the fault was undone and
     *                          before the next fault (a restarted member rejoining, say); it is
     *                          not part of the failover. Null when none
     * @param others            other disruptions while the fault held or before the next fault,
     *                          not started by this fault (a stall elsewhere), with their times;
     *                          none of them extends the failover
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failover(boolean outage, boolean recovered, Instant outageStart, Instant recoveredAt,
                           Long lowerMs, Long upperMs, long resolutionMs, long availabilityGapMs, Long catchUpMs,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PartitionGap> partitions,
                           Disruption afterHeal,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Disruption> others) {
        public Failover {
            partitions = partitions == null ? List.of() : List.copyOf(partitions);
            others = others == null ? List.of() : List.copyOf(others);
        }

        public Failover(boolean outage, boolean recovered, Instant outageStart, Instant recoveredAt, Long lowerMs,
                        Long upperMs, long resolutionMs, long availabilityGapMs, Long catchUpMs,
                        List<PartitionGap> partitions) {
            this(outage, recovered, outageStart, recoveredAt, lowerMs, upperMs, resolutionMs, availabilityGapMs,
                    catchUpMs, partitions, null, List.of());
        }

        /** The same figures, with the disruptions after heal and beside the failover. */
        public Failover withDisruptions(Disruption afterHeal, List<Disruption> others) {
            return new Failover(outage, recovered, outageStart, recoveredAt, lowerMs, upperMs, resolutionMs,
                    availabilityGapMs, catchUpMs, partitions, afterHeal, others);
        }

        /** The same figures, with the catch-up after recovery. */
        public Failover withCatchUp(Long catchUp) {
            return new Failover(outage, recovered, outageStart, recoveredAt, lowerMs, upperMs, resolutionMs,
                    availabilityGapMs, catchUp, partitions, afterHeal, others);
        }
    }

    /**
     * A disruption: canary completions stopped, on one or more input partitions at overlapping
     * times, for longer than the outage threshold.
     *
     * @param from       the last completion before it
     * @param to         the first completion after it (the latest over its partitions); null if
     *                   completions never resumed
     * @param gapMs      its longest gap without completions on one partition
     * @param partitions the input partitions that stopped; empty with a single stream
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Disruption(Instant from, Instant to, long gapMs,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> partitions) {
        public Disruption {
            partitions = partitions == null ? List.of() : List.copyOf(partitions);
        }
    }

    /**
     * One input partition a fault stopped: its longest gap without completions, and when it flowed
     * again (null: never); where the group's own assignment was watched, its owner when the fault
     * began ({@code ownerBefore}) and the member the group handed it to next ({@code ownerAfter},
     * at {@code handedOverAt}); null when unknown or never handed over.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PartitionGap(int partition, long gapMs, Long upperMs, String ownerBefore, String ownerAfter,
                               Instant handedOverAt) {
        public PartitionGap(int partition, long gapMs, Long upperMs) {
            this(partition, gapMs, upperMs, null, null, null);
        }

        /** The same gap, with who owned the partition when the fault began and whom the group gave it to, when. */
        public PartitionGap withHandOver(String before, String after, Instant at) {
            return new PartitionGap(partition, gapMs, upperMs, before, after, at);
        }
    }

    /**
     * Canary end-to-end latency (send to observed result) in the 3 s before the fault, during it and after it, by
     * send time, in milliseconds.
     *
     * @param boundMs          latency counted as back to normal: max(2 x baseline p95, baseline p95 + 100 ms)
     * @param recoveredAfterMs from heal until every later canary was within the bound; null if it never was
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Latency(long baselineP50Ms, long baselineP99Ms, Long duringP50Ms, Long duringP99Ms,
                          Long duringMaxMs, Long afterP99Ms, long boundMs, Long recoveredAfterMs) {
    }
}

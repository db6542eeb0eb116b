package io.faultline.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything the verifier judges, as plain values: what was sent, what came out, when faults
 * were injected. Built from Kafka by the engine, or by hand in tests.
 *
 * @param sendingStoppedAt when the canary producer stopped
 * @param observedUntil    when the observer stopped looking (the deadline: end of the drain window)
 * @param committed        the system under test's committed offset per input partition at the
 *                         deadline: an unobserved event below it was consumed and dropped (LOST);
 *                         empty when unknown (then nothing can be proven lost, only UNSEEN)
 * @param alerts           alert state changes reported by Alertmanager during the run
 * @param probes           samples of the scenario's steady-state probes, and of the health watches
 * @param health           what tells each fault's target is healthy again after heal: a watch's
 *                         samples are the {@code probes} named after its subject
 * @param folded           canaries folded into summaries ({@link Stretch}), in sequence order; they
 *                         are not in {@code sent} nor their results in {@code observations}
 * @param owners           the system under test's own assignment of the canary's input partitions,
 *                         as its consumer group reported it while the run went: each change, in time
 *                         order; empty when the group is unknown
 * @param kafka            what the Kafka cluster did while the run went (leaders, ISR, the quorum
 *                         leader) and the canary producer's errors by kind; null when not watched
 * @param telemetry        whether the run checked who signed its agents' telemetry, and what it
 *                         refused to believe; null when unknown (a history from before it was kept)
 * @param actions          the action steps and rollbacks the run carried out, in the order they ran
 */
public record History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                      Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                      List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                      List<ProbeSample> probes, List<HealthWatch> health, List<Stretch> folded,
                      List<Ownership> owners, KafkaView kafka, Telemetry telemetry, List<ActionRun> actions) {
    public History {
        actions = actions == null ? List.of() : List.copyOf(actions);
        owners = owners == null ? List.of() : List.copyOf(owners);
        folded = folded == null ? List.of()
                : folded.stream().sorted(Comparator.comparingLong(Stretch::firstSeq)).toList();
        health = health == null ? List.of() : List.copyOf(health);
        // A canary log's views are already fixed and read-only; copying them would undo their compactness.
        sent = sent == null ? List.of() : CanaryLog.isView(sent) ? sent : List.copyOf(sent);
        observations = observations == null ? List.of()
                : CanaryLog.isView(observations) ? observations : List.copyOf(observations);
        faults = faults == null ? List.of() : List.copyOf(faults);
        circuits = circuits == null ? List.of() : List.copyOf(circuits);
        committed = committed == null ? Map.of() : Map.copyOf(committed);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        probes = probes == null ? List.of() : List.copyOf(probes);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                   List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                   List<ProbeSample> probes, List<HealthWatch> health, List<Stretch> folded, List<Ownership> owners) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits, committed,
                alerts, probes, health, folded, owners, null, null, null);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                   List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                   List<ProbeSample> probes, List<HealthWatch> health, List<Stretch> folded) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits, committed,
                alerts, probes, health, folded, null);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                   List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                   List<ProbeSample> probes, List<HealthWatch> health) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits, committed,
                alerts, probes, health, null, null);
    }

    public History(String runId, List<SentEvent> sent, List<Observation> observations, List<FaultWindow> faults,
                   Duration canaryInterval, Instant sendingStoppedAt, Instant observedUntil,
                   List<CircuitChange> circuits, Map<Integer, Long> committed, List<AlertChange> alerts,
                   List<ProbeSample> probes) {
        this(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits, committed,
                alerts, probes, null, null, null);
    }

    /** This history with {@code stretches} folded: their canaries and results are to be left out of {@code sent} and {@code observations}. */
    public History withFolded(List<SentEvent> sent, List<Observation> observations, List<Stretch> stretches) {
        return new History(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil, circuits,
                committed, alerts, probes, health, stretches, owners, kafka, telemetry, actions);
    }

    /** Canaries sent, folded ones included. */
    public long sentCount() {
        long n = sent.size();
        for (Stretch s : folded) {
            n += s.count();
        }
        return n;
    }

    /** The first canary's send time, folded ones included; null when none was sent. */
    public Instant firstSentAt() {
        Instant first = folded.isEmpty() ? null : folded.get(0).sentFrom();
        for (SentEvent e : sent) {
            if (first == null || e.sentAt().isBefore(first)) {
                first = e.sentAt();
            }
        }
        return first;
    }

    /**
     * A sign of health of the target of the inject step {@code fault}, sampled all run long under
     * the probe name {@code subject}: e.g. {@code group order-listeners} (the group has as many
     * members as before the first fault) or {@code service of agent-1} (the service the agent
     * watches is running).
     */
    /** False for a run without a canary (its {@code canaryInterval} is zero): no canary check applies. */
    public boolean hasCanary() {
        return canaryInterval != null && !canaryInterval.isZero();
    }

    public record HealthWatch(String fault, String subject) {
    }

    /**
     * Who the run believed on the telemetry topic.
     *
     * @param authenticated true when the run was given agent keys and believed only agent events
     *                      signed by one of them; false when it believed every event
     * @param keys          the keys that signed the agent events it believed
     * @param rejected      agent events of this run, or of its agents, it refused, by reason
     *                      ({@code unsigned}, {@code unknown-key}, {@code forged}, {@code replayed})
     * @param examples      a few of those, in words
     */
    public record Telemetry(boolean authenticated, List<String> keys, Map<String, Long> rejected,
                            List<String> examples) {
        public Telemetry {
            keys = keys == null ? List.of() : List.copyOf(keys);
            rejected = rejected == null ? Map.of() : Map.copyOf(rejected);
            examples = examples == null ? List.of() : List.copyOf(examples);
        }

        /** Events refused, whatever the reason. */
        public long rejectedCount() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * From {@code at} on, input partition {@code partition} was assigned to the group member with
     * client id {@code owner} (null: to none), as the group itself said when described.
     */
    public record Ownership(int partition, String owner, Instant at) {
    }

    /**
     * What the cluster did, as its own metadata said when sampled, and how the canary producer's
     * sends failed.
     *
     * @param changes    every change seen, in time order
     * @param sendErrors canaries whose send failed for good, by Kafka error name (NOT_ENOUGH_REPLICAS,
     *                   NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, ...)
     * @param intervalMs how often the cluster was sampled: the resolution of every time derived from it
     * @param readBack   the canary logs read back after the drain; null when they were not
     * @param groups     each change of the system under test's consumer group seen (state, epoch,
     *                   members, assignment), in time order; empty when its group is not known
     * @param groupIntervalMs how often the group was described
     * @param sendRetries produce requests of the canary the client retried, by the error it retried
     *                   (a send retried until its delivery timeout fails as REQUEST_TIMED_OUT)
     */
    public record KafkaView(List<ClusterChange> changes, Map<String, Long> sendErrors, long intervalMs,
                            ReadBack readBack, List<GroupLook> groups, long groupIntervalMs,
                            Map<String, Long> sendRetries) {
        public KafkaView {
            changes = changes == null ? List.of() : List.copyOf(changes);
            sendErrors = sendErrors == null ? Map.of() : Map.copyOf(sendErrors);
            groups = groups == null ? List.of() : List.copyOf(groups);
            sendRetries = sendRetries == null ? Map.of() : Map.copyOf(sendRetries);
        }

        public KafkaView(List<ClusterChange> changes, Map<String, Long> sendErrors, long intervalMs,
                         ReadBack readBack, List<GroupLook> groups, long groupIntervalMs) {
            this(changes, sendErrors, intervalMs, readBack, groups, groupIntervalMs, Map.of());
        }

        public KafkaView(List<ClusterChange> changes, Map<String, Long> sendErrors, long intervalMs) {
            this(changes, sendErrors, intervalMs, null);
        }

        public KafkaView(List<ClusterChange> changes, Map<String, Long> sendErrors, long intervalMs,
                         ReadBack readBack) {
            this(changes, sendErrors, intervalMs, readBack, List.of(), 0);
        }
    }

    /**
     * A look at the system under test's consumer group that found it changed: its protocol
     * ({@code classic} or {@code consumer}), its state as the coordinator names it ({@code Stable},
     * {@code PreparingRebalance}, {@code Reconciling}, {@code Empty}, ...), its group epoch (null
     * for classic groups, which do not report one), its member count and a digest of who owns
     * which partition of the canary input.
     */
    public record GroupLook(Instant at, String group, String protocol, String state, Integer epoch, int members,
                            int assignment) {
        public boolean stable() {
            return "Stable".equalsIgnoreCase(state);
        }
    }

    /**
     * The canary's logs read back after the drain: each acknowledged canary looked for in the input
     * log at the offset its acknowledgement gave, each observed result in the output log at the
     * offset it was read from.
     *
     * @param input     acknowledged canaries looked for
     * @param output    observed results looked for
     * @param missing   those not found where they were: gone from the log, or another record there
     * @param foldedGone acknowledged canaries folded away during the run (their records not kept)
     *                  whose offsets the input log no longer holds, or whose offsets were acknowledged
     *                  again for later canaries (the log gave them out twice): counted, not named
     * @param unchecked what could not be read back (a partition that did not answer in time), in words; null when all was
     * @param epochs    each change of leader epoch between two canaries read back in an input partition, in log order
     */
    public record ReadBack(long input, long output, List<Truncated> missing, long foldedGone, String unchecked,
                           List<EpochChange> epochs) {
        public ReadBack {
            missing = missing == null ? List.of() : List.copyOf(missing);
            epochs = epochs == null ? List.of() : List.copyOf(epochs);
        }

        public ReadBack(long input, long output, List<Truncated> missing, long foldedGone, String unchecked) {
            this(input, output, missing, foldedGone, unchecked, List.of());
        }
    }

    /**
     * What the input log says of a leader election: in {@code topicPartition}, the last canary
     * read back from leader epoch {@code fromEpoch} was acknowledged at {@code lastAckedAt}, the
     * next, the first of epoch {@code toEpoch}, at {@code firstAckedAt}; between them no canary
     * was written to that partition.
     */
    public record EpochChange(String topicPartition, int fromEpoch, int toEpoch, Instant lastAckedAt,
                              Instant firstAckedAt) {
    }

    /**
     * Canary {@code id}, acknowledged ({@code log} "input") or observed ({@code log} "output") at
     * {@code topicPartition}@{@code offset}, not there when read back: {@code found} says what was.
     */
    public record Truncated(String id, String log, String topicPartition, long offset, String found) {
    }

    /**
     * One change of the cluster's state seen at {@code at}: partition {@code partition}'s leader
     * became {@code value} (null: none), or its ISR size became {@code value} of {@code replicas},
     * or the KRaft quorum's leader became {@code value}.
     */
    public record ClusterChange(Instant at, Kind kind, String partition, Integer value, Integer replicas) {
        /** BLIND: from {@code at}, for {@code value} ms, the cluster did not answer the watch. */
        public enum Kind { LEADER, ISR, CONTROLLER, BLIND }
    }

    /**
     * An action step or rollback the run carried out: what it did ({@code what}: "run kubectl ...",
     * "http POST URL"), when, whether it succeeded, its exit code or HTTP status ({@code code}; null
     * when it did not get that far), why it failed in words ({@code failure}; null when it did
     * not), and the tail of its output, a few lines, as evidence.
     */
    public record ActionRun(String name, boolean rollback, String what, Instant startedAt, Instant endedAt,
                            boolean ok, Integer code, String failure, List<String> output) {
        public ActionRun {
            output = output == null ? List.of() : List.copyOf(output);
        }
    }

    /** One sample of a steady-state probe, on the orchestrator's clock. */
    public record ProbeSample(String probe, Instant at, boolean ok, String detail) {
    }

    /** An alert started ({@code firing}) or stopped firing; {@code at} is when the orchestrator learnt of it. */
    public record AlertChange(String alertname, boolean firing, Instant at) {
    }

    /** A circuit breaker of the system under test changed state; {@code at} is the orchestrator's receive time. */
    public record CircuitChange(String service, String circuit, String to, Instant at) {
    }

    /** A history of run {@code runId}: nothing sent, seen or injected until the builder is told. */
    public static Builder builder(String runId) {
        return new Builder(runId);
    }

    /** Builds a {@link History} by name instead of by position. */
    public static final class Builder {
        private final String runId;
        private List<SentEvent> sent = List.of();
        private List<Observation> observations = List.of();
        private List<FaultWindow> faults = List.of();
        private Duration canaryInterval = Duration.ZERO;
        private Instant sendingStoppedAt;
        private Instant observedUntil;
        private List<CircuitChange> circuits;
        private Map<Integer, Long> committed;
        private List<AlertChange> alerts;
        private List<ProbeSample> probes;
        private List<HealthWatch> health;
        private List<Stretch> folded;
        private List<Ownership> owners;
        private KafkaView kafka;
        private Telemetry telemetry;
        private List<ActionRun> actions;

        private Builder(String runId) {
            this.runId = runId;
        }

        /** The canaries sent and their results (kept whole), and the ones folded into stretches. */
        public Builder canaries(List<SentEvent> sent, List<Observation> observations, List<Stretch> folded) {
            this.sent = sent;
            this.observations = observations;
            this.folded = folded;
            return this;
        }

        public Builder faults(List<FaultWindow> faults) {
            this.faults = faults;
            return this;
        }

        /** The canary's send interval; zero for a run without a canary. */
        public Builder canaryInterval(Duration canaryInterval) {
            this.canaryInterval = canaryInterval;
            return this;
        }

        /** When the canary producer stopped, and when the observer stopped looking. */
        public Builder until(Instant sendingStoppedAt, Instant observedUntil) {
            this.sendingStoppedAt = sendingStoppedAt;
            this.observedUntil = observedUntil;
            return this;
        }

        public Builder circuits(List<CircuitChange> circuits) {
            this.circuits = circuits;
            return this;
        }

        public Builder committed(Map<Integer, Long> committed) {
            this.committed = committed;
            return this;
        }

        public Builder alerts(List<AlertChange> alerts) {
            this.alerts = alerts;
            return this;
        }

        /** Probe samples, and the health watches whose samples are among them. */
        public Builder probes(List<ProbeSample> probes, List<HealthWatch> health) {
            this.probes = probes;
            this.health = health;
            return this;
        }

        /** The group's own assignment changes of the canary's input partitions. */
        public Builder owners(List<Ownership> owners) {
            this.owners = owners;
            return this;
        }

        /** What the cluster did, and the canary producer's errors. */
        public Builder kafka(KafkaView kafka) {
            this.kafka = kafka;
            return this;
        }

        /** Who the run believed on the telemetry topic. */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = telemetry;
            return this;
        }

        /** The actions and rollbacks the run carried out. */
        public Builder actions(List<ActionRun> actions) {
            this.actions = actions;
            return this;
        }

        public History build() {
            return new History(runId, sent, observations, faults, canaryInterval, sendingStoppedAt, observedUntil,
                    circuits, committed, alerts, probes, health, folded, owners, kafka, telemetry, actions);
        }
    }
}

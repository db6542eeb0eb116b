package io.faultline.engine;

import io.faultline.alert.AlertLog;
import io.faultline.alert.AlertNotice;
import io.faultline.protocol.AlertEvent;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.TargetSpec;
import io.faultline.verifier.Fold;
import io.faultline.verifier.FaultWindow;
import io.faultline.verifier.History;
import io.faultline.workload.CanaryWorkload;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers what a run recorded into the {@link History} the verifier judges: the canary's sends
 * and observations, the ledger's fault windows, circuit and alert changes from every source,
 * probe samples, and the system under test's committed offsets (which tell an event it never
 * read from one it read and dropped).
 */
final class HistoryAssembler {
    private static final Logger log = LoggerFactory.getLogger(HistoryAssembler.class);

    private HistoryAssembler() {
    }

    static History assemble(String runId, Scenario scenario, Instant startedAt, Instant observedUntil,
                            CanaryWorkload canary, InjectionLedger ledger, TelemetryFeed telemetry, AlertLog alerts,
                            List<History.ProbeSample> samples, List<History.HealthWatch> health, Admin admin,
                            List<History.Ownership> owners, History.KafkaView cluster,
                            List<History.ActionRun> actions) {
        History h = History.builder(runId)
                .canaries(canary.sent(), canary.observations(), canary.folded())
                .canaryInterval(scenario.canary() == null ? Duration.ZERO : scenario.canary().interval())
                .until(canary.sendingStoppedAt(), observedUntil)
                .faults(ledger.windows())
                .circuits(circuitChanges(telemetry, startedAt))
                .committed(committedOffsets(admin, scenario))
                .alerts(alertChanges(alerts, telemetry, startedAt))
                .probes(samples, health)
                .owners(owners)
                .kafka(cluster)
                .actions(actions)
                .telemetry(telemetry.gate().summary(runId, ledger.windows().stream().map(FaultWindow::agentId)
                        .filter(Objects::nonNull).collect(Collectors.toSet())))
                .build();
        // What the run folded as it went, and now, knowing every fault and the end, what else can be.
        try {
            return Fold.fold(h, CanaryWorkload.FOLD_WIDTH);
        } catch (RuntimeException e) {
            // Folding only saves memory and audit space: the history whole is judged the same.
            log.warn("run {}: could not fold its canaries at the end, judging them whole: {}", runId, e.toString());
            return h;
        }
    }

    private static List<History.CircuitChange> circuitChanges(TelemetryFeed telemetry, Instant since) {
        return telemetry.circuitEvents(since).stream().map(r -> new History.CircuitChange(r.event().service(),
                r.event().circuit(), r.event().to().name().toLowerCase(Locale.ROOT), r.receivedAt())).toList();
    }

    /** Alert state changes from every source: webhook, API polling, and bridges on telemetry. */
    private static List<History.AlertChange> alertChanges(AlertLog alerts, TelemetryFeed telemetry, Instant since) {
        alerts.add(telemetry.alertEvents(since).stream().map(r -> new AlertNotice(r.event().alertname(),
                r.event().status() == AlertEvent.Status.FIRING, r.event().labels(), r.event().fingerprint(),
                r.event().startsAt(), r.event().endsAt(), r.receivedAt(), "bridge")).toList());
        return alerts.changes().stream().map(c -> new History.AlertChange(c.alertname(), c.firing(), c.at())).toList();
    }

    /** The system under test's consumer group: {@code workload.canary.group}, or a target's group; null when unknown. */
    static String systemGroup(Scenario scenario) {
        var canary = scenario.canary();
        if (canary == null) {
            return null;
        }
        return canary.group() != null ? canary.group() : scenario.targets().values().stream()
                .map(TargetSpec::group).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** The system under test's committed offsets on the canary input topic; empty when its group is unknown. */
    private static Map<Integer, Long> committedOffsets(Admin admin, Scenario scenario) {
        var canary = scenario.canary();
        if (canary == null) {
            return Map.of();
        }
        String group = systemGroup(scenario);
        if (group == null) {
            return Map.of();
        }
        Map<Integer, Long> out = new HashMap<>();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            offsets.forEach((tp, om) -> {
                if (tp.topic().equals(canary.inputTopic()) && om != null) {
                    out.put(tp.partition(), om.offset());
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            log.warn("cannot read the committed offsets of group {}: {} (unobserved canaries count as UNSEEN)", group,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}

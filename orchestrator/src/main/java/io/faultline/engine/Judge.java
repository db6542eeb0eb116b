package io.faultline.engine;

import io.faultline.alert.AlertLog;
import io.faultline.history.RegressionCheck;
import io.faultline.history.RunSummary;
import io.faultline.history.VerdictLog;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.Scenario;
import io.faultline.verifier.History;
import io.faultline.verifier.Timeline;
import io.faultline.verifier.Verifier;
import io.faultline.workload.CanaryWorkload;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges a run from what it recorded: assembles the history, keeps the evidence and the timeline,
 * publishes the audit record, has the verifier judge it and, where the scenario asks, compares it
 * with the recent passed runs of its scenario. A run stopped early is judged on what it had.
 */
final class Judge {
    private static final Logger log = LoggerFactory.getLogger(Judge.class);

    private final Scenario scenario;
    private final String runId;
    private final Instant startedAt;
    private final RunOptions options;
    private final Clock clock;
    private final RunResources kafka;
    private final InjectionLedger ledger;
    private final AlertLog alerts;
    private final HealthWatches health;
    /** The group's own assignment changes, once a watch runs; none until then. */
    private Supplier<List<History.Ownership>> owners = List::of;
    private Supplier<History.KafkaView> cluster = () -> null;
    private Supplier<List<History.ActionRun>> actions = List::of;
    private volatile Timeline timeline;
    private volatile Evidence evidence;

    Judge(Scenario scenario, String runId, Instant startedAt, RunOptions options, Clock clock, RunResources kafka,
          InjectionLedger ledger, AlertLog alerts, HealthWatches health) {
        this.scenario = scenario;
        this.runId = runId;
        this.startedAt = startedAt;
        this.options = options;
        this.clock = clock;
        this.kafka = kafka;
        this.ledger = ledger;
        this.alerts = alerts;
        this.health = health;
    }

    /** This run's verdict with what it recorded for the reports so far (nothing before judging). */
    RunResult result(Verdict verdict) {
        return new RunResult(verdict, timeline, evidence);
    }

    /** Where what the cluster did during the run comes from, when it was watched. */
    void cluster(Supplier<History.KafkaView> view) {
        this.cluster = view;
    }

    /** Where the action steps and rollbacks the run carried out come from. */
    void actions(Supplier<List<History.ActionRun>> runs) {
        this.actions = runs;
    }

    /** Where the group's own assignment changes come from. */
    void owners(Supplier<List<History.Ownership>> changes) {
        this.owners = changes;
    }

    /** Judges a run that went to the end, observed until {@code observedUntil}. */
    RunResult judged(CanaryWorkload canary, ProbeSampler samples, Instant observedUntil)
            throws InfrastructureException {
        Verifier.Result result = recordAndVerify(canary, samples, observedUntil);
        List<CheckResult> checks = new ArrayList<>(result.checks());
        ChecksSpec.Regression regression = scenario.checks().regression();
        if (regression != null) {
            checks.addAll(regression(regression, Verdict.judged(runId, scenario.name(), startedAt, clock.instant(),
                    result.checks(), result.faults(), result.canary())));
        }
        return result(Verdict.judged(runId, scenario.name(), startedAt, clock.instant(), checks, result.faults(),
                result.canary()));
    }

    /**
     * A run stopped early (ABORTED by a halt or a stop condition, ERROR when a step could not be
     * carried out) keeps what it recorded: the history up to then is published as the audit record
     * (so {@code replay} finds it) and judged, and the verdict carries those checks, faults and
     * counts under its status.
     */
    RunResult stoppedEarly(Verdict.Status status, String reason, CanaryWorkload canary, ProbeSampler samples) {
        try {
            Verifier.Result result = recordAndVerify(canary, samples, clock.instant());
            return result(Verdict.stoppedEarly(status, runId, scenario.name(), reason, startedAt, clock.instant(),
                    result.checks(), result.faults(), result.canary()));
        } catch (InfrastructureException | RuntimeException e) {
            log.warn("run {}: what it recorded before it stopped could not be kept: {}", runId, e.getMessage());
            return result(Verdict.stoppedEarly(status, runId, scenario.name(), reason, startedAt, clock.instant(),
                    List.of(), List.of(), null));
        }
    }

    private Verifier.Result recordAndVerify(CanaryWorkload canary, ProbeSampler samples, Instant observedUntil)
            throws InfrastructureException {
        TelemetryFeed telemetry = kafka.telemetry();
        History history = HistoryAssembler.assemble(runId, scenario, startedAt, observedUntil, canary, ledger,
                telemetry, alerts, samples.samples(), health.watches(), kafka.admin(), owners.get(), cluster.get(),
                actions.get());
        evidence = new Evidence(alerts.payloads(), alerts.notices(), samples.samples(), telemetry.commandEvents(runId));
        RunAudit audit = new RunAudit(scenario.name(), scenario.checks(), scenario.probes(), history);
        audit.publish(kafka.producer(), options.topics().telemetry(), clock);
        timeline = Timeline.of(history);
        return audit.verify();
    }

    /** This run against the recent passed runs of its scenario, read from the verdicts topic. */
    private List<CheckResult> regression(ChecksSpec.Regression spec, Verdict current) {
        try {
            var past = VerdictLog.read(options.kafka(), options.topics().verdicts(), null, Duration.ofSeconds(30))
                    .verdicts().stream().map(RunSummary::of).toList();
            return RegressionCheck.judge(spec, RunSummary.of(current), past);
        } catch (RuntimeException e) {
            return List.of(new CheckResult(RegressionCheck.NAME, CheckResult.Outcome.FAIL, null, null, null,
                    "the past runs could not be read from " + options.topics().verdicts() + ": " + e.getMessage(),
                    List.of()));
        }
    }
}

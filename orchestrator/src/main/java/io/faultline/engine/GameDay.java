package io.faultline.engine;

import io.faultline.alert.AlertLog;
import io.faultline.alert.AlertReceiver;
import io.faultline.alert.AlertmanagerPoller;
import io.faultline.probe.Probe;
import io.faultline.probe.Probes;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.Durations;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.Step;
import io.faultline.scenario.StopCondition;
import io.faultline.scenario.TargetSpec;
import io.faultline.time.Scheduler;
import io.faultline.verifier.History;
import io.faultline.verifier.Timeline;
import io.faultline.verifier.Verifier;
import io.faultline.workload.CanaryWorkload;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run engine: preflight, canary workload, the scenario's steps, drain, verification and the
 * verdict. Every fault it applies is healed before it returns, whatever happened.
 */
public final class GameDay {
    private static final Logger log = LoggerFactory.getLogger(GameDay.class);
    private final Options options;
    private final Clock clock;
    private final TargetResolver targets = new TargetResolver(new java.security.SecureRandom());

    /**
     * @param agentWait      how long preflight waits for the targeted agents' heartbeats
     * @param heartbeatMaxAge an agent whose last heartbeat is older than this is not alive
     * @param commandTimeout how long to wait for an agent's report on a command
     * @param signer         signs every command; agents obey only keys they trust
     * @param clientSettings Kafka client settings every client of the run takes (TLS, SASL)
     */
    public record Options(String bootstrapServers, Topics topics, Duration agentWait, Duration heartbeatMaxAge,
                          Duration commandTimeout, PrintStream progress, CommandSigner signer,
                          Map<String, String> clientSettings) {
        public Options {
            clientSettings = clientSettings == null ? Map.of() : Map.copyOf(clientSettings);
        }

        public Options(String bootstrapServers, Topics topics, Duration agentWait, Duration heartbeatMaxAge,
                       Duration commandTimeout, PrintStream progress, CommandSigner signer) {
            this(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer, null);
        }

        /** These options with the Kafka client settings given. */
        public Options withClientSettings(Map<String, String> settings) {
            return new Options(bootstrapServers, topics, agentWait, heartbeatMaxAge, commandTimeout, progress, signer,
                    settings);
        }

        /** Where Kafka is, with the client settings. */
        public io.faultline.protocol.KafkaConnection kafka() {
            return new io.faultline.protocol.KafkaConnection(bootstrapServers, clientSettings);
        }

        public static Options defaults(String bootstrapServers, PrintStream progress, CommandSigner signer) {
            return new Options(bootstrapServers, Topics.defaults(), Duration.ofSeconds(15), Duration.ofSeconds(5),
                    Duration.ofSeconds(15), progress, signer);
        }
    }

    /**
     * Where alert notices come from, besides alert bridges on telemetry (always read).
     *
     * @param webhook      where to listen for Alertmanager's webhook; null for none
     * @param alertmanager Alertmanager's base URL to poll (API v2); null for none
     * @param webhookToken the bearer token the webhook requires; null accepts unauthenticated posts
     */
    public record AlertSources(java.net.InetSocketAddress webhook, java.net.URI alertmanager, String webhookToken) {
        public static final AlertSources NONE = new AlertSources(null, null, null);

        public AlertSources(java.net.InetSocketAddress webhook, java.net.URI alertmanager) {
            this(webhook, alertmanager, null);
        }
    }

    private final AlertSources alertSources;

    /** The last run's canary timeline, for the HTML report; null until a run got to verification. */
    private volatile Timeline timeline;

    public Timeline timeline() {
        return timeline;
    }

    /** What the last run saw (alert payloads and notices, probe samples, command reports); null before one ended. */
    private volatile Evidence evidence;

    public Evidence evidence() {
        return evidence;
    }

    public GameDay(Options options, Clock clock) {
        this(options, AlertSources.NONE, clock);
    }

    public GameDay(Options options, AlertSources alertSources, Clock clock) {
        this.options = options;
        this.alertSources = alertSources;
        this.clock = clock;
    }

    public static String newRunId(String scenario, Clock clock) {
        String time = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(clock.instant());
        return scenario + "-" + time + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /**
     * Runs the scenario. Returns a verdict whenever Kafka could be reached (status ERROR with the
     * reason when the run could not be carried out); throws when Kafka cannot be reached at all.
     */
    public Verdict run(Scenario scenario, String runId) throws InfrastructureException, InterruptedException {
        Instant startedAt = clock.instant();
        try (Admin admin = KafkaClients.admin(options.kafka())) {
            KafkaClients.checkReachable(admin, options.bootstrapServers(), Duration.ofSeconds(15));
            createTopics(scenario, admin);
            try (KafkaProducer<String, byte[]> producer =
                         KafkaClients.producer(options.kafka(), "faultline-orchestrator");
                 TelemetryFeed telemetry = new TelemetryFeed(options.kafka(), options.topics().telemetry(),
                         clock, options.heartbeatMaxAge())) {
                Verdict verdict;
                try {
                    verdict = new Run(scenario, runId, startedAt, admin, producer, telemetry).execute();
                } catch (InfrastructureException e) {
                    verdict = Verdict.error(runId, scenario.name(), e.getMessage(), startedAt, clock.instant());
                }
                publish(producer, options.topics().verdicts(), verdict.runId(), verdict);
                return verdict;
            }
        }
    }

    private void createTopics(Scenario scenario, Admin admin) throws InfrastructureException {
        KafkaClients.ensureFaultlineTopics(admin, options.topics());
        if (scenario.canary() == null) {
            return;
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(scenario.canary().inputTopic(), scenario.canary().partitions());
        topics.put(scenario.canary().outputTopic(), scenario.canary().partitions());
        KafkaClients.ensureTopics(admin, topics);
    }

    /**
     * One run, as a pipeline: {@link #preflight} → {@link #steps} (which heals whatever it
     * applied, however it ends) → {@link #drain} → {@link #judge}. A halt or a tripped stop
     * condition ends the steps early and the run ABORTED.
     */
    private final class Run {
        private final Scenario scenario;
        private final String runId;
        private final Instant startedAt;
        private final Admin admin;
        private final KafkaProducer<String, byte[]> producer;
        private final TelemetryFeed telemetry;
        private final AgentChannel agents;
        private final Abort abort = new Abort();
        private final AlertLog alerts = new AlertLog();
        private final InjectionLedger ledger = new InjectionLedger();
        private final HealthWatches health = new HealthWatches();

        Run(Scenario scenario, String runId, Instant startedAt, Admin admin, KafkaProducer<String, byte[]> producer,
            TelemetryFeed telemetry) {
            this.scenario = scenario;
            this.runId = runId;
            this.startedAt = startedAt;
            this.admin = admin;
            this.producer = producer;
            this.telemetry = telemetry;
            this.agents = new AgentChannel(producer, options.topics().commands(), options.signer(), telemetry, clock,
                    options.commandTimeout(), runId);
        }

        @SuppressWarnings("try") // halt watch, webhook and poller work by being open
        Verdict execute() throws InfrastructureException, InterruptedException {
            try (HaltWatch halts = new HaltWatch(options.kafka(), options.topics().halt(), startedAt,
                    h -> abort.trip("halted by " + (h.issuedBy() == null ? "someone" : h.issuedBy()) + " at " + h.at()
                            + ": " + h.reason()));
                 AlertReceiver webhook = openWebhook(alerts);
                 AlertmanagerPoller poller = alertSources.alertmanager() == null ? null
                         : new AlertmanagerPoller(alertSources.alertmanager(), Duration.ofSeconds(1), clock, alerts::add);
                 CanaryWorkload canary = scenario.canary() == null ? CanaryWorkload.none(runId, clock)
                         : new CanaryWorkload(options.kafka(), runId, scenario.canary(), clock);
                 Progress progress = new Progress(options.progress(), clock, canary, scenario.steps().size())) {
                Map<ProbeSpec, Probe> probes = steadyStateProbes(canary);
                Map<StopCondition, Probe> stopConditions = preflight(canary, progress, probes);
                try (Scheduler probeTimer = Scheduler.system("probes", clock);
                     ProbeSampler samples = new ProbeSampler(probeTimer, probes);
                     Scheduler folder = Scheduler.system("fold", clock)) {
                    health.probes().forEach((name, probe) -> samples.watch(name, probe, HealthWatches.INTERVAL));
                    folder.scheduleAtFixedRate(FOLD_EVERY, FOLD_EVERY, () -> fold(canary));
                    return stepsDrainJudge(stopConditions, canary, progress, samples);
                }
            }
        }

        private Verdict stepsDrainJudge(Map<StopCondition, Probe> stopConditions, CanaryWorkload canary,
                                        Progress progress, ProbeSampler samples)
                throws InfrastructureException, InterruptedException {
            try {
                steps(stopConditions, progress, samples);
            } catch (InfrastructureException e) {
                // Every fault applied so far was healed by steps(); what the run saw until now is kept.
                canary.stopProducing();
                samples.finish();
                progress.close();
                log.warn("run {} stopped in error: {}", runId, e.getMessage());
                return stoppedEarly(Verdict.Status.ERROR, e.getMessage(), canary, samples);
            }
            if (abort.tripped()) {
                canary.stopProducing();
                samples.finish();
                progress.close();
                log.warn("run {} aborted: {}", runId, abort.reason());
                return stoppedEarly(Verdict.Status.ABORTED, abort.reason(), canary, samples);
            }
            Instant observedUntil = drain(canary, progress);
            awaitHealth(samples, progress);
            samples.finish();
            progress.close();
            return judge(canary, samples, observedUntil);
        }

        /**
         * Folds the canaries older than the horizon into stretches, clear of the faults in the
         * ledger: a fault enters the ledger when its agent confirms it, within the command timeout.
         */
        private void fold(CanaryWorkload canary) {
            Duration horizon = FOLD_HORIZON.compareTo(options.commandTimeout().plusSeconds(10)) > 0 ? FOLD_HORIZON
                    : options.commandTimeout().plusSeconds(10);
            try {
                canary.fold(ledger.windows(), clock.instant().minus(horizon));
            } catch (RuntimeException e) {
                // Folding only saves memory: a run whose canaries cannot be folded keeps them whole.
                log.warn("run {}: could not fold canaries: {}", runId, e.toString());
            }
        }

        /** Agents alive and able, canary flowing, stop conditions and {@code before} probes holding. */
        private Map<StopCondition, Probe> preflight(CanaryWorkload canary, Progress progress,
                                                    Map<ProbeSpec, Probe> probes)
                throws InfrastructureException, InterruptedException {
            Preflight.require(new Preflight(telemetry, options.heartbeatMaxAge(), options.agentWait())
                    .agents(scenario));
            if (canary.active()) {
                canary.start();
                progress.step(0, "preflight: waiting for canary traffic end to end");
                Preflight.require(Preflight.canaryFlows(scenario, canary));
            }
            Preflight.require(groupTargets());
            Map<StopCondition, Probe> stopConditions = new LinkedHashMap<>();
            for (StopCondition c : scenario.stopConditions()) {
                stopConditions.put(c, Probes.of(c.http(), c.canary(), c.kafkaLag(), c.prometheus(), canary, admin,
                        clock));
            }
            Preflight.require(Preflight.stopConditions(stopConditions));
            Preflight.require(Preflight.probes(probes));
            return stopConditions;
        }

        private Map<ProbeSpec, Probe> steadyStateProbes(CanaryWorkload canary) {
            Map<ProbeSpec, Probe> probes = new LinkedHashMap<>();
            for (ProbeSpec p : scenario.probes()) {
                probes.put(p, Probes.of(p.http(), p.canary(), p.kafkaLag(), p.prometheus(), canary, admin, clock));
            }
            return probes;
        }

        /**
         * The scenario's steps, under the stop conditions' watch and with every fault's lease
         * renewed; heals what is left however the steps end.
         */
        @SuppressWarnings("try") // the monitor works by being open
        private void steps(Map<StopCondition, Probe> stopConditions, Progress progress, ProbeSampler samples)
                throws InfrastructureException, InterruptedException {
            try (Scheduler renewalTimer = Scheduler.system("lease-renewal", clock);
                 LeaseRenewer renewals = new LeaseRenewer(renewalTimer, runId, agents::renew);
                 Scheduler stopTimer = Scheduler.system("stop-conditions", clock);
                 StopConditionMonitor monitor = new StopConditionMonitor(stopTimer, stopConditions, abort)) {
                try {
                    for (int i = 0; i < scenario.steps().size() && !abort.tripped(); i++) {
                        Step step = scenario.steps().get(i);
                        progress.step(i + 1, step.describe());
                        if (step.pause() != null) {
                            abort.pause(step.pause());
                        } else if (step.inject() != null) {
                            inject(step, renewals, progress, samples);
                        } else {
                            for (InjectionLedger.Injection inj : ledger.unhealed(step.heal())) {
                                heal(inj, renewals);
                            }
                            progress.fault(null);
                        }
                    }
                } catch (InfrastructureException e) {
                    // An agent refusing a command issued just before a halt is part of the abort, not an error.
                    if (!abort.tripped()) {
                        throw e;
                    }
                    log.info("after the abort: {}", e.getMessage());
                } finally {
                    for (InjectionLedger.Injection inj : ledger.unhealed()) {
                        log.info("healing {} on {} at the end of the run", inj.step, inj.agentId);
                        heal(inj, renewals);
                    }
                }
            }
        }

        /**
         * Every target picked from a consumer group resolves now, before any fault: a member with no
         * agent beside it is found here, with the members and agents there are, not mid-run.
         */
        private List<String> groupTargets() throws InterruptedException {
            List<String> problems = new java.util.ArrayList<>();
            for (Step step : scenario.injections()) {
                String name = step.inject().target();
                TargetSpec target = scenario.targets().get(name);
                if (!target.pick().byGroup()) {
                    continue;
                }
                // Agents may still be starting beside the members: try again until the agent wait is up.
                Instant deadline = clock.instant().plus(options.agentWait());
                while (true) {
                    try {
                        List<TargetResolver.Member> members = GroupOwners.members(admin, target.group(), target.topic());
                        targets.resolve(name, target, telemetry.liveAgents(options.heartbeatMaxAge()), () -> members);
                        if (judgesHealth(step)) {
                            health.group(step.name(), admin, target.group(), members.size());
                        }
                        break;
                    } catch (InfrastructureException e) {
                        if (!clock.instant().isBefore(deadline)) {
                            problems.add("step '" + step.name() + "': " + e.getMessage());
                            break;
                        }
                        Thread.sleep(500);
                    }
                }
            }
            return problems;
        }

        /**
         * Whether the target's health after heal is judged: when the heal is meant to give it
         * back, or when the scenario asks ({@code checks.healthy}: something else, such as
         * Kubernetes, brings a crashed service back).
         */
        private boolean judgesHealth(Step step) {
            return scenario.checks().healthy() != null || step.inject().fault().healRestores();
        }

        private void inject(Step step, LeaseRenewer renewals, Progress progress, ProbeSampler samples)
                throws InfrastructureException, InterruptedException {
            String name = step.inject().target();
            TargetSpec target = scenario.targets().get(name);
            List<AgentHeartbeat> resolved = targets.resolve(name, target,
                    telemetry.liveAgents(options.heartbeatMaxAge()),
                    () -> GroupOwners.members(admin, target.group(), target.topic()));
            for (AgentHeartbeat agent : resolved) {
                Instant invokedAt = clock.instant();
                AgentChannel.Outcome outcome = agents.apply(step.name(), agent.agentId(), step.inject().fault(),
                        step.inject().lease(), invokedAt);
                if (!outcome.answered()) {
                    throw new InfrastructureException("agent " + agent.agentId() + " did not report on " + step.name()
                            + " within " + Durations.format(options.commandTimeout()));
                }
                if (!outcome.is(CommandEvent.Step.APPLIED)) {
                    throw new InfrastructureException("agent " + agent.agentId() + " could not apply " + step.name()
                            + " (" + outcome.step().wireName() + "): " + outcome.detail());
                }
                InjectionLedger.Injection inj = ledger.applied(step.name(), outcome.commandId(), agent.agentId(),
                        step.inject().fault().type(), invokedAt, step.inject().lease(), outcome.at());
                renewals.hold(inj.commandId, inj.agentId, inj.lease);
                log.info("{} applied on {}: {}", step.name(), agent.agentId(), outcome.detail());
                if (judgesHealth(step)) {
                    health.service(step.name(), agent, telemetry, options.heartbeatMaxAge());
                }
                health.probes().forEach((n, probe) -> samples.watch(n, probe, HealthWatches.INTERVAL));
                progress.fault(inj.step + " on " + inj.agentId);
            }
        }

        private void heal(InjectionLedger.Injection inj, LeaseRenewer renewals) throws InterruptedException {
            Instant at = clock.instant();
            ledger.healSent(inj, at);
            renewals.release(inj.commandId);
            AgentChannel.Outcome outcome = agents.heal(inj.commandId, inj.agentId, at);
            if (outcome.is(CommandEvent.Step.UNDONE)) {
                ledger.undone(inj, outcome.at());
                log.info("{} healed on {}: {}", inj.step, inj.agentId, outcome.detail());
            } else {
                log.warn("{} on {}: no confirmation of undo{}", inj.step, inj.agentId,
                        outcome.detail() == null ? "" : ": " + outcome.detail());
            }
        }

        /**
         * After the drain, waits for the targets whose health is judged to be healthy again: at
         * most {@code checks.healthy.within} (else {@link #HEALTH_WAIT}) from the last heal, so a
         * member that takes a few seconds to rejoin its group is seen back, and one that never does
         * is judged at that bound.
         */
        private void awaitHealth(ProbeSampler samples, Progress progress) throws InterruptedException {
            java.util.Set<String> subjects = new java.util.LinkedHashSet<>();
            health.watches().forEach(w -> subjects.add(w.subject()));
            var healthy = scenario.checks().healthy();
            if (healthy != null && healthy.probe() != null && !ledger.windows().isEmpty()) {
                subjects.add(healthy.probe());
            }
            if (subjects.isEmpty()) {
                return;
            }
            Instant lastHeal = ledger.windows().stream().map(w -> w.undoneAt() != null ? w.undoneAt() : w.healInvokedAt())
                    .filter(java.util.Objects::nonNull).max(java.util.Comparator.naturalOrder()).orElse(clock.instant());
            Duration bound = healthy != null && healthy.within() != null ? healthy.within() : HEALTH_WAIT;
            Instant deadline = lastHeal.plus(bound);
            if (samples.holdSince(subjects, lastHeal) || !clock.instant().isBefore(deadline)) {
                return;
            }
            progress.step(scenario.steps().size(), "waiting up to " + Durations.format(bound)
                    + " after heal for the targets to be healthy again");
            while (clock.instant().isBefore(deadline) && !samples.holdSince(subjects, lastHeal)) {
                Thread.sleep(200);
            }
        }

        /** Stops the canary and waits up to the scenario's drain for what is in flight; returns when it ended. */
        private Instant drain(CanaryWorkload canary, Progress progress) throws InterruptedException {
            progress.step(scenario.steps().size(), canary.active() ? "drain: waiting up to "
                    + Durations.format(scenario.drain()) + " for in-flight canaries" : "no canary: nothing to drain");
            canary.stopProducing();
            canary.drain(scenario.drain());
            return clock.instant();
        }

        /**
         * A run stopped early (ABORTED by a halt or a stop condition, ERROR when a step could not be
         * carried out) keeps what it recorded: the history up to then is published as the audit
         * record (so {@code replay} finds it) and judged, and the verdict carries those checks,
         * faults and counts under its status.
         */
        private Verdict stoppedEarly(Verdict.Status status, String reason, CanaryWorkload canary,
                                     ProbeSampler samples) {
            try {
                Verifier.Result result = recordAndVerify(canary, samples, clock.instant());
                return Verdict.stoppedEarly(status, runId, scenario.name(), reason, startedAt, clock.instant(),
                        result.checks(), result.faults(), result.canary());
            } catch (InfrastructureException | RuntimeException e) {
                log.warn("run {}: what it recorded before it stopped could not be kept: {}", runId, e.getMessage());
                return Verdict.stoppedEarly(status, runId, scenario.name(), reason, startedAt, clock.instant(), List.of(),
                        List.of(), null);
            }
        }

        /**
         * Assembles the history up to {@code observedUntil}, keeps the evidence and the timeline,
         * publishes the audit record and has the verifier judge it.
         */
        private Verifier.Result recordAndVerify(CanaryWorkload canary, ProbeSampler samples, Instant observedUntil)
                throws InfrastructureException {
            History history = HistoryAssembler.assemble(runId, scenario, startedAt, observedUntil, canary, ledger,
                    telemetry, alerts, samples.samples(), health.watches(), admin);
            evidence = new Evidence(alerts.payloads(), alerts.notices(), samples.samples(), telemetry.commandEvents(runId));
            RunAudit audit = new RunAudit(scenario.name(), scenario.checks(), scenario.probes(), history);
            audit.publish(producer, options.topics().telemetry(), clock);
            timeline = Timeline.of(history);
            return audit.verify();
        }

        /** This run against the recent passed runs of its scenario, read from the verdicts topic. */
        private List<io.faultline.protocol.CheckResult> regression(io.faultline.scenario.ChecksSpec.Regression spec,
                                                                   Verdict current) {
            try {
                var past = io.faultline.history.VerdictLog.read(options.kafka(), options.topics().verdicts(), null,
                        Duration.ofSeconds(30)).verdicts().stream().map(io.faultline.history.RunSummary::of).toList();
                return io.faultline.history.RegressionCheck.judge(spec, io.faultline.history.RunSummary.of(current),
                        past);
            } catch (RuntimeException e) {
                return List.of(new io.faultline.protocol.CheckResult(io.faultline.history.RegressionCheck.NAME,
                        io.faultline.protocol.CheckResult.Outcome.FAIL, null, null, null,
                        "the past runs could not be read from " + options.topics().verdicts() + ": " + e.getMessage(),
                        List.of()));
            }
        }

        /** Assembles the history, publishes the audit record and has the verifier judge the run. */
        private Verdict judge(CanaryWorkload canary, ProbeSampler samples, Instant observedUntil)
                throws InfrastructureException {
            Verifier.Result result = recordAndVerify(canary, samples, observedUntil);
            List<io.faultline.protocol.CheckResult> checks = new java.util.ArrayList<>(result.checks());
            var regression = scenario.checks().regression();
            if (regression != null) {
                checks.addAll(regression(regression, Verdict.judged(runId, scenario.name(), startedAt, clock.instant(),
                        result.checks(), result.faults(), result.canary())));
            }
            return Verdict.judged(runId, scenario.name(), startedAt, clock.instant(), checks, result.faults(),
                    result.canary());
        }
    }

    /** How long after the last heal a run waits for its targets to be healthy, unless {@code checks.healthy.within} says. */
    static final Duration HEALTH_WAIT = Duration.ofSeconds(30);
    /** How often the canaries are folded, and how far back from now (see {@link CanaryWorkload#fold}). */
    static final Duration FOLD_EVERY = Duration.ofSeconds(5);
    static final Duration FOLD_HORIZON = Duration.ofSeconds(30);

    private AlertReceiver openWebhook(AlertLog alerts) throws InfrastructureException {
        if (alertSources.webhook() == null) {
            return null;
        }
        try {
            return new AlertReceiver(alertSources.webhook(), clock, "webhook", alertSources.webhookToken(), alerts::add)
                    .keepPayloads(alerts);
        } catch (java.io.IOException e) {
            throw new InfrastructureException("cannot listen for Alertmanager's webhook on " + alertSources.webhook()
                    + ": " + e.getMessage());
        }
    }

    private static void publish(KafkaProducer<String, byte[]> producer, String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, Json.encode(value))).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            log.error("cannot publish the verdict to {}: {}", topic, e.getCause() != null ? e.getCause().getMessage() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

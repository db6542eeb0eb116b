package io.faultline.engine;

import io.faultline.alert.AlertLog;
import io.faultline.alert.AlertReceiver;
import io.faultline.alert.AlertmanagerPoller;
import io.faultline.probe.Probe;
import io.faultline.probe.Probes;
import io.faultline.protocol.Checks;
import io.faultline.protocol.KafkaGroupChurnFault;
import io.faultline.protocol.Durations;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.StopCondition;
import io.faultline.scenario.TargetSpec;
import io.faultline.time.Scheduler;
import io.faultline.workload.CanaryWorkload;
import io.faultline.verifier.History;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run engine: preflight, canary workload, the scenario's steps, drain, verification and the
 * verdict. Every fault it applies is healed before it returns, whatever happened.
 */
public final class GameDay {
    private static final Logger log = LoggerFactory.getLogger(GameDay.class);
    private final RunOptions options;
    private final Clock clock;
    private final TargetResolver targets = new TargetResolver(new SecureRandom());

    private final AlertSources alertSources;
    /** Why the run was interrupted from outside (Ctrl-C, SIGTERM); null while it was not. */
    private final AtomicReference<String> interrupted = new AtomicReference<>();
    private volatile Run current;

    /** Makes each of a run's schedulers (lease renewals, stop conditions, probes, folding, waits) by name. */
    private final Function<String, Scheduler> schedulers;
    private final RunClients clients;
    /** Monotonic nanoseconds the canary paces its sends by. */
    private final LongSupplier ticker;
    private final Duration foldHorizon;

    public GameDay(RunOptions options, Clock clock) {
        this(options, AlertSources.NONE, clock);
    }

    public GameDay(RunOptions options, AlertSources alertSources, Clock clock) {
        this(builder(options).alerts(alertSources).clock(clock));
    }

    private GameDay(Builder b) {
        this.options = b.options;
        this.alertSources = b.alerts;
        this.clock = b.clock;
        Clock c = this.clock;
        this.schedulers = b.schedulers != null ? b.schedulers : name -> Scheduler.system(name, c);
        this.clients = b.clients != null ? b.clients : RunClients.of(options.kafka());
        this.ticker = b.ticker;
        this.foldHorizon = b.foldHorizon;
    }

    /** A run engine on {@code options}: real Kafka clients and schedulers unless the builder is told otherwise. */
    public static Builder builder(RunOptions options) {
        return new Builder(options);
    }

    /**
     * What a run engine is built from. The command line gives the options, the alert sources and
     * the clock; a test hands in kafka-clients' mocks ({@link RunClients}) and schedulers it drives
     * by hand, and runs a whole game-day without a broker.
     */
    public static final class Builder {
        private final RunOptions options;
        private AlertSources alerts = AlertSources.NONE;
        private Clock clock = Clock.systemUTC();
        private Function<String, Scheduler> schedulers;
        private RunClients clients;
        private LongSupplier ticker = System::nanoTime;
        private Duration foldHorizon = FOLD_HORIZON;

        private Builder(RunOptions options) {
            this.options = options;
        }

        public Builder alerts(AlertSources alerts) {
            this.alerts = alerts;
            return this;
        }

        /** The clock every decisive timestamp is taken from; the schedulers' clock, when they are handed in. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Makes the run's schedulers by name, on the run's {@link #clock}; each is closed when its part ends. */
        public Builder schedulers(Function<String, Scheduler> schedulers) {
            this.schedulers = schedulers;
            return this;
        }

        public Builder clients(RunClients clients) {
            this.clients = clients;
            return this;
        }

        /** Monotonic nanoseconds the canary paces its sends by ({@code System.nanoTime} unless handed in). */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = ticker;
            return this;
        }

        /**
         * How far back from now canaries are folded (default 30 s); never less than the command
         * timeout plus 10 s, so that a fault still on its way to the ledger keeps its canaries whole.
         */
        public Builder foldHorizon(Duration horizon) {
            this.foldHorizon = Checks.positive("foldHorizon", horizon);
            return this;
        }

        public GameDay build() {
            return new GameDay(this);
        }
    }

    /**
     * Ends the run under way as a halt does, with {@code reason} (first reason wins): the steps
     * stop, every fault applied is healed, the agents' undo is awaited (within the command
     * timeout each), and the verdict is ABORTED with the checks judged on what was recorded. Safe
     * from any thread, such as a signal handler's; a run started afterwards is aborted at once.
     */
    public void interrupt(String reason) {
        interrupted.compareAndSet(null, reason);
        Run run = current;
        if (run != null) {
            run.abort.trip(interrupted.get());
        }
    }

    /** The faults of the run under way that no agent has confirmed undone: "step on agent (lease 15s)". */
    public List<String> notUndone() {
        Run run = current;
        return run == null ? List.of() : run.ledger.notUndone();
    }

    public static String newRunId(String scenario, Clock clock) {
        String time = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(clock.instant());
        return scenario + "-" + time + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /**
     * Runs the scenario. Returns a verdict whenever Kafka could be reached (status ERROR with the
     * reason when the run could not be carried out), with the timeline and evidence for the
     * reports; throws when Kafka cannot be reached at all.
     */
    public RunResult run(Scenario scenario, String runId) throws InfrastructureException, InterruptedException {
        Instant startedAt = clock.instant();
        try (RunResources kafka = RunResources.open(options, clock, clients);
             Scheduler time = schedulers.apply("run")) {
            kafka.ensureTopics(scenario);
            Run run = new Run(scenario, runId, startedAt, kafka, time);
            current = run;
            if (interrupted.get() != null) {
                run.abort.trip(interrupted.get());
            }
            RunResult result;
            try {
                result = run.execute();
            } catch (InfrastructureException e) {
                result = run.judge.result(Verdict.error(runId, scenario.name(), e.getMessage(), startedAt,
                        clock.instant()));
            } finally {
                current = null;
            }
            // What is published and what is written beside it are the same, small enough for any topic.
            result = result.withVerdict(result.verdict().bounded(Verdict.MAX_BYTES));
            kafka.publishVerdict(result.verdict());
            return result;
        }
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
        private final RunResources kafka;
        /** Where the run's waits pass (its clock and sleep). */
        private final Scheduler time;
        private final Abort abort;
        private final AlertLog alerts = new AlertLog();
        private final InjectionLedger ledger = new InjectionLedger();
        private final HealthWatches health = new HealthWatches();
        private final StepRunner steps;
        private final Judge judge;
        /** The action steps and rollbacks carried out, in order. */
        private final List<History.ActionRun> actions = new CopyOnWriteArrayList<>();

        Run(Scenario scenario, String runId, Instant startedAt, RunResources kafka, Scheduler time) {
            this.scenario = scenario;
            this.runId = runId;
            this.startedAt = startedAt;
            this.kafka = kafka;
            this.time = time;
            this.abort = new Abort(time);
            AgentChannel agents = new AgentChannel(kafka.producer(), options.topics().commands(), options.signer(),
                    kafka.telemetry(), clock, options.commandTimeout(), runId);
            this.steps = new StepRunner(scenario, runId, options, clock, schedulers, kafka, agents, targets, ledger,
                    health, abort, time, actions);
            this.judge = new Judge(scenario, runId, startedAt, options, clock, kafka, ledger, alerts, health);
            judge.actions(() -> List.copyOf(actions));
        }

        @SuppressWarnings("try") // halt watch, webhook and poller work by being open
        RunResult execute() throws InfrastructureException, InterruptedException {
            try (HaltWatch halts = new HaltWatch(kafka.clients().halt(), options.topics().halt(), startedAt,
                    h -> abort.trip("halted by " + (h.issuedBy() == null ? "someone" : h.issuedBy()) + " at " + h.at()
                            + ": " + h.reason()));
                 AlertReceiver webhook = alertSources.openWebhook(clock, alerts);
                 AlertmanagerPoller poller = alertSources.alertmanager() == null ? null
                         : new AlertmanagerPoller(alertSources.alertmanager(), Duration.ofSeconds(1),
                                 schedulers.apply("alertmanager-poll"), alerts::add);
                 CanaryWorkload canary = scenario.canary() == null ? CanaryWorkload.none(runId, clock)
                         : new CanaryWorkload(runId, scenario.canary(), clock, clients.canaryProducer(scenario.canary().deliveryTimeout()),
                                 clients.canaryObserver(), schedulers.apply("canary-producer"), ticker,
                                 clients.readBack());
                 Progress progress = new Progress(options.progress(), schedulers.apply("progress"), canary,
                         scenario.steps().size())) {
                Map<ProbeSpec, Probe> probes = steadyStateProbes(canary);
                Map<StopCondition, Probe> stopConditions;
                try (Abort.Interruptible cut = abort.interruptOnTrip()) {
                    stopConditions = preflight(canary, progress, probes);
                } catch (InterruptedException | InterruptException e) {
                    if (!abort.tripped()) {
                        throw e;
                    }
                    // Ctrl-C or a halt while preflight waited: nothing was applied, nothing to heal.
                    canary.stopProducing();
                    log.warn("run {} aborted during preflight: {}", runId, abort.reason());
                    return judge.result(Verdict.stoppedEarly(Verdict.Status.ABORTED, runId, scenario.name(),
                            abort.reason() + " during preflight; no fault was applied", startedAt, clock.instant(),
                            List.of(), List.of(), null));
                }
                String group = HistoryAssembler.systemGroup(scenario);
                try (Scheduler probeTimer = schedulers.apply("probes");
                     ProbeSampler samples = new ProbeSampler(probeTimer, probes);
                     Scheduler folder = schedulers.apply("fold");
                     AssignmentWatch owners = group == null ? null : new AssignmentWatch(kafka.watchAdmin(), group,
                             scenario.canary().inputTopic(), schedulers.apply("assignments"));
                     AssignmentWatch.Several churned = new AssignmentWatch.Several(churnedGroups(scenario, group),
                             g -> new AssignmentWatch(kafka.watchAdmin(), g, scenario.canary().inputTopic(),
                                     schedulers.apply("assignments-" + g)));
                     ClusterWatch cluster = scenario.canary() == null ? null : new ClusterWatch(kafka.watchAdmin(),
                             ClusterWatch.topics(scenario.canary()), schedulers.apply("cluster-watch"))) {
                    if (owners != null) {
                        judge.owners(owners::changes);
                    }
                    if (cluster != null) {
                        judge.cluster(() -> new History.KafkaView(cluster.changes(), canary.sendErrors(),
                                ClusterWatch.INTERVAL.toMillis(), canary.readBack(),
                                AssignmentWatch.looks(owners, churned), AssignmentWatch.INTERVAL.toMillis(),
                                canary.sendRetries()));
                    }
                    health.probes().forEach((name, probe) -> samples.watch(name, probe, HealthWatches.INTERVAL));
                    folder.scheduleAtFixedRate(FOLD_EVERY, FOLD_EVERY, () -> fold(canary));
                    return stepsDrainJudge(stopConditions, canary, progress, samples);
                }
            }
        }

        /** The groups a {@code kafka.group.churn} step churns, other than the system's own: their rebalances are timed too. */
        private static List<String> churnedGroups(Scenario scenario, String systemGroup) {
            if (scenario.canary() == null) {
                return List.of();
            }
            return scenario.injections().stream().map(st -> st.inject().fault())
                    .filter(f -> f instanceof KafkaGroupChurnFault).map(f -> ((KafkaGroupChurnFault) f).group())
                    .filter(g -> !g.equals(systemGroup)).distinct().toList();
        }

        private RunResult stepsDrainJudge(Map<StopCondition, Probe> stopConditions, CanaryWorkload canary,
                                        Progress progress, ProbeSampler samples)
                throws InfrastructureException, InterruptedException {
            try {
                steps.run(stopConditions, progress, samples);
            } catch (InfrastructureException e) {
                // Every fault applied so far was healed by steps(); what the run saw until now is kept.
                steps.rollbacks(progress);
                canary.stopProducing();
                samples.finish();
                progress.close();
                log.warn("run {} stopped in error: {}", runId, e.getMessage());
                return judge.stoppedEarly(Verdict.Status.ERROR, e.getMessage(), canary, samples);
            }
            steps.rollbacks(progress);
            if (abort.tripped()) {
                canary.stopProducing();
                samples.finish();
                progress.close();
                log.warn("run {} aborted: {}", runId, abort.reason());
                return judge.stoppedEarly(Verdict.Status.ABORTED, abort.reason(), canary, samples);
            }
            Instant observedUntil = drain(canary, progress);
            health.awaitHealthy(scenario, ledger, samples, progress, time);
            samples.finish();
            progress.close();
            return judge.judged(canary, samples, observedUntil);
        }

        /**
         * Folds the canaries older than the horizon into stretches, clear of the faults in the
         * ledger: a fault enters the ledger when its agent confirms it, within the command timeout.
         */
        private void fold(CanaryWorkload canary) {
            Duration horizon = foldHorizon.compareTo(options.commandTimeout().plusSeconds(10)) > 0 ? foldHorizon
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
            Preflight.require(new Preflight(kafka.telemetry(), options.heartbeatMaxAge(), options.agentWait())
                    .agents(scenario));
            if (canary.active()) {
                canary.start();
                progress.step(0, "preflight: waiting for canary traffic end to end");
                Preflight.require(Preflight.canaryFlows(scenario, canary));
            }
            Preflight.require(new Preflight(kafka.telemetry(), options.heartbeatMaxAge(), options.agentWait())
                    .groupTargets(scenario, targets, kafka.admin(), time, (step, resolved) -> {
                        TargetSpec target = scenario.targets().get(step.inject().target());
                        if (StepRunner.judgesHealth(scenario, step) && target.pick().byGroup()) {
                            health.group(step.name(), kafka.admin(), target.group(), resolved.members().size());
                        }
                    }));
            Map<StopCondition, Probe> stopConditions = new LinkedHashMap<>();
            for (StopCondition c : scenario.stopConditions()) {
                stopConditions.put(c, Probes.of(c.http(), c.canary(), c.kafkaLag(), c.prometheus(), canary, kafka.admin(),
                        clock));
            }
            Preflight.require(Preflight.stopConditions(stopConditions));
            Preflight.require(Preflight.probes(probes));
            return stopConditions;
        }

        private Map<ProbeSpec, Probe> steadyStateProbes(CanaryWorkload canary) {
            Map<ProbeSpec, Probe> probes = new LinkedHashMap<>();
            for (ProbeSpec p : scenario.probes()) {
                probes.put(p, Probes.of(p.http(), p.canary(), p.kafkaLag(), p.prometheus(), canary, kafka.admin(), clock));
            }
            return probes;
        }

        /** Stops the canary and waits up to the scenario's drain for what is in flight; returns when it ended. */
        private Instant drain(CanaryWorkload canary, Progress progress) throws InterruptedException {
            progress.step(scenario.steps().size(), canary.active() ? "drain: waiting up to "
                    + Durations.format(scenario.drain()) + " for in-flight canaries" : "no canary: nothing to drain");
            canary.stopProducing();
            canary.drain(scenario.drain());
            return clock.instant();
        }
    }

    /** How often the canaries are folded, and how far back from now (see {@link CanaryWorkload#fold}). */
    static final Duration FOLD_EVERY = Duration.ofSeconds(5);
    static final Duration FOLD_HORIZON = Duration.ofSeconds(30);
}

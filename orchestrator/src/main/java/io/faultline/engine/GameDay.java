package io.faultline.engine;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.HealCommand;
import io.faultline.alert.AlertLog;
import io.faultline.alert.AlertNotice;
import io.faultline.alert.AlertReceiver;
import io.faultline.alert.AlertmanagerPoller;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.Json;
import io.faultline.probe.HttpProbe;
import io.faultline.probe.Probe;
import io.faultline.probe.Probes;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.StopCondition;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.protocol.Durations;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.Step;
import io.faultline.scenario.TargetSpec;
import io.faultline.verifier.FaultWindow;
import io.faultline.verifier.History;
import io.faultline.verifier.Timeline;
import io.faultline.verifier.Verifier;
import io.faultline.time.Scheduler;
import io.faultline.workload.CanaryWorkload;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
    private static final Set<CommandEvent.Step> APPLY_OUTCOMES =
            Set.of(CommandEvent.Step.APPLIED, CommandEvent.Step.FAILED, CommandEvent.Step.REJECTED);
    private static final Set<CommandEvent.Step> CHECK_OUTCOMES =
            Set.of(CommandEvent.Step.CHECKED, CommandEvent.Step.REJECTED, CommandEvent.Step.FAILED);
    private static final Set<CommandEvent.Step> UNDO_OUTCOMES =
            Set.of(CommandEvent.Step.UNDONE, CommandEvent.Step.FAILED, CommandEvent.Step.REJECTED);

    private final Options options;
    private final Clock clock;
    private final TargetResolver targets = new TargetResolver(new java.security.SecureRandom());

    /**
     * @param agentWait      how long preflight waits for the targeted agents' heartbeats
     * @param heartbeatMaxAge an agent whose last heartbeat is older than this is not alive
     * @param commandTimeout how long to wait for an agent's report on a command
     * @param signer         signs every command; agents obey only keys they trust
     */
    public record Options(String bootstrapServers, Topics topics, Duration agentWait, Duration heartbeatMaxAge,
                          Duration commandTimeout, PrintStream progress, CommandSigner signer) {
        public static Options defaults(String bootstrapServers, PrintStream progress, CommandSigner signer) {
            return new Options(bootstrapServers, Topics.defaults(), Duration.ofSeconds(15), Duration.ofSeconds(5),
                    Duration.ofSeconds(15), progress, signer);
        }
    }

    /** One fault injected on one agent, filled in as the run goes. */
    private static final class Injection {
        final String step;
        final String commandId;
        final String agentId;
        final String faultType;
        final Instant invokedAt;
        final Duration lease;
        volatile Instant appliedAt;
        volatile Instant healInvokedAt;
        Instant undoneAt;

        Injection(String step, String commandId, String agentId, String faultType, Instant invokedAt, Duration lease) {
            this.step = step;
            this.commandId = commandId;
            this.agentId = agentId;
            this.faultType = faultType;
            this.invokedAt = invokedAt;
            this.lease = lease;
        }

        FaultWindow window() {
            return new FaultWindow(step, commandId, agentId, faultType, invokedAt, appliedAt, healInvokedAt, undoneAt);
        }
    }

    /**
     * Where alert notices come from, besides alert bridges on telemetry (always read).
     *
     * @param webhook      where to listen for Alertmanager's webhook; null for none
     * @param alertmanager Alertmanager's base URL to poll (API v2); null for none
     */
    public record AlertSources(java.net.InetSocketAddress webhook, java.net.URI alertmanager) {
        public static final AlertSources NONE = new AlertSources(null, null);
    }

    private AlertSources alertSources = AlertSources.NONE;

    public GameDay withAlerts(AlertSources sources) {
        this.alertSources = sources;
        return this;
    }

    /** The last run's canary timeline, for the HTML report; null until a run got to verification. */
    private volatile Timeline timeline;

    public Timeline timeline() {
        return timeline;
    }

    public GameDay(Options options, Clock clock) {
        this.options = options;
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
        try (Admin admin = KafkaClients.admin(options.bootstrapServers())) {
            KafkaClients.checkReachable(admin, options.bootstrapServers(), Duration.ofSeconds(15));
            KafkaClients.ensureFaultlineTopics(admin, options.topics());
            Map<String, Integer> topics = new LinkedHashMap<>();
            topics.put(scenario.workload().canary().inputTopic(), scenario.workload().canary().partitions());
            topics.put(scenario.workload().canary().outputTopic(), scenario.workload().canary().partitions());
            KafkaClients.ensureTopics(admin, topics);
            try (KafkaProducer<String, byte[]> producer = producer();
                 TelemetryFeed telemetry = new TelemetryFeed(options.bootstrapServers(), options.topics().telemetry(),
                         clock, options.heartbeatMaxAge())) {
                Verdict verdict;
                try {
                    verdict = execute(scenario, runId, startedAt, admin, producer, telemetry);
                } catch (InfrastructureException e) {
                    verdict = Verdict.error(runId, scenario.name(), e.getMessage(), startedAt, clock.instant());
                }
                publish(producer, options.topics().verdicts(), verdict.runId(), verdict);
                return verdict;
            }
        }
    }

    @SuppressWarnings("try") // progress is closed early, before the drain, so its last line is the step count
    private Verdict execute(Scenario scenario, String runId, Instant startedAt, Admin admin,
                            KafkaProducer<String, byte[]> producer, TelemetryFeed telemetry)
            throws InfrastructureException, InterruptedException {
        Abort abort = new Abort();
        AlertLog alerts = new AlertLog();
        ProbeSampler samplers = null;
        List<Injection> injections = new java.util.concurrent.CopyOnWriteArrayList<>();
        Scheduler renewalTimer = Scheduler.system("lease-renewal", clock);
        LeaseRenewer renewals = new LeaseRenewer(renewalTimer, runId, renew -> {
            try {
                producer.send(new ProducerRecord<>(options.topics().commands(), renew.target().recordKey(),
                        options.signer().seal(renew)));
            } catch (RuntimeException e) {
                log.warn("cannot renew {}: {}", renew.faultCommandId(), e.toString());
            }
        });
        try (HaltWatch halts = new HaltWatch(options.bootstrapServers(), options.topics().halt(), startedAt,
                h -> abort.trip("halted by " + (h.issuedBy() == null ? "someone" : h.issuedBy()) + " at " + h.at()
                        + ": " + h.reason()));
             AlertReceiver webhook = openWebhook(alerts);
             AlertmanagerPoller poller = alertSources.alertmanager() == null ? null
                     : new AlertmanagerPoller(alertSources.alertmanager(), Duration.ofSeconds(1), clock, alerts::add);
             CanaryWorkload canary = new CanaryWorkload(options.bootstrapServers(), runId, scenario.workload().canary(), clock);
             Progress progress = new Progress(options.progress(), clock, canary, scenario.steps().size())) {
            preflightAgents(scenario, telemetry);
            canary.start();
            progress.step(0, "preflight: waiting for canary traffic end to end");
            awaitFirstCompletion(scenario, canary);
            Map<StopCondition, Probe> probes = probes(scenario, canary, admin);
            preflightStopConditions(probes);
            Map<ProbeSpec, Probe> steady = new LinkedHashMap<>();
            for (ProbeSpec p : scenario.probes()) {
                steady.put(p, Probes.of(p.http(), p.canary(), p.kafkaLag(), p.prometheus(), canary, admin, clock));
            }
            preflightProbes(steady);
            samplers = new ProbeSampler(steady, clock);
            try (StopConditionMonitor monitor = new StopConditionMonitor(probes, abort)) {
                runSteps(scenario, runId, abort, injections, admin, producer, telemetry, renewals, progress);
            } catch (InfrastructureException e) {
                // An agent refusing a command issued just before a halt is part of the abort, not an error.
                if (!abort.tripped()) {
                    throw e;
                }
                log.info("after the abort: {}", e.getMessage());
            } finally {
                healRemaining(runId, injections, producer, telemetry, renewals);
                renewals.close();
            }
            if (abort.tripped()) {
                canary.stopProducing();
                progress.close();
                log.warn("run {} aborted: {}", runId, abort.reason());
                return Verdict.aborted(runId, scenario.name(), abort.reason(), startedAt, clock.instant());
            }
            progress.step(scenario.steps().size(), "drain: waiting up to " + Durations.format(scenario.drain())
                    + " for in-flight canaries");
            canary.stopProducing();
            canary.drain(scenario.drain());
            Instant observedUntil = clock.instant();
            samplers.finish();
            progress.close();
            History history = new History(runId, canary.sent(), canary.observations(),
                    injections.stream().map(Injection::window).toList(), scenario.workload().canary().interval(),
                    canary.sendingStoppedAt(), observedUntil,
                    telemetry.circuitEvents(startedAt).stream().map(r -> new History.CircuitChange(r.event().service(),
                            r.event().circuit(), r.event().to().name().toLowerCase(Locale.ROOT), r.receivedAt())).toList(),
                    committedOffsets(admin, scenario), alertChanges(alerts, telemetry, startedAt), samplers.samples());
            RunAudit audit = new RunAudit(scenario.name(), scenario.checks(), scenario.probes(), history);
            audit.publish(producer, options.topics().telemetry(), clock);
            Verifier.Result result = audit.verify();
            timeline = Timeline.of(history, Duration.ofMillis(250));
            return Verdict.judged(runId, scenario.name(), startedAt, clock.instant(), result.checks(), result.faults(),
                    result.canary());
        } finally {
            renewals.close();
            renewalTimer.close();
            if (samplers != null) {
                samplers.close();
            }
        }
    }

    private void runSteps(Scenario scenario, String runId, Abort abort, List<Injection> injections, Admin admin,
                          KafkaProducer<String, byte[]> producer, TelemetryFeed telemetry,
                          LeaseRenewer renewals, Progress progress)
            throws InfrastructureException, InterruptedException {
        for (int i = 0; i < scenario.steps().size() && !abort.tripped(); i++) {
            Step step = scenario.steps().get(i);
            progress.step(i + 1, step.describe());
            if (step.pause() != null) {
                abort.pause(step.pause());
            } else if (step.inject() != null) {
                for (AgentHeartbeat agent : resolve(scenario, step.inject().target(), admin, telemetry)) {
                    Injection inj = inject(runId, step, agent, producer, telemetry);
                    injections.add(inj);
                    renewals.hold(inj.commandId, inj.agentId, inj.lease);
                    progress.fault(inj.step + " on " + inj.agentId);
                }
            } else {
                for (Injection inj : injections) {
                    if (inj.step.equals(step.heal()) && inj.healInvokedAt == null) {
                        heal(runId, inj, producer, telemetry, renewals);
                    }
                }
                progress.fault(null);
            }
        }
    }

    private AlertReceiver openWebhook(AlertLog alerts) throws InfrastructureException {
        if (alertSources.webhook() == null) {
            return null;
        }
        try {
            return new AlertReceiver(alertSources.webhook(), clock, "webhook", alerts::add);
        } catch (java.io.IOException e) {
            throw new InfrastructureException("cannot listen for Alertmanager's webhook on " + alertSources.webhook()
                    + ": " + e.getMessage());
        }
    }

    /** Alert state changes from every source: webhook, API polling, and bridges on telemetry. */
    private static List<History.AlertChange> alertChanges(AlertLog alerts, TelemetryFeed telemetry, Instant since) {
        alerts.add(telemetry.alertEvents(since).stream().map(r -> new AlertNotice(r.event().alertname(),
                r.event().status() == io.faultline.protocol.AlertEvent.Status.FIRING, r.event().labels(),
                r.event().fingerprint(), r.event().startsAt(), r.event().endsAt(), r.receivedAt(), "bridge")).toList());
        return alerts.changes().stream().map(c -> new History.AlertChange(c.alertname(), c.firing(), c.at())).toList();
    }

    /** The system under test's committed offsets on the canary input topic; empty when its group is unknown. */
    private static Map<Integer, Long> committedOffsets(Admin admin, Scenario scenario) {
        var canary = scenario.workload().canary();
        String group = canary.group() != null ? canary.group() : scenario.targets().values().stream()
                .map(TargetSpec::group).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (group == null) {
            return Map.of();
        }
        Map<Integer, Long> out = new java.util.HashMap<>();
        try {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .forEach((tp, om) -> {
                        if (tp.topic().equals(canary.inputTopic()) && om != null) {
                            out.put(tp.partition(), om.offset());
                        }
                    });
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("cannot read the committed offsets of group {}: {} (unobserved canaries count as UNSEEN)", group,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private Map<StopCondition, Probe> probes(Scenario scenario, CanaryWorkload canary, Admin admin) {
        Map<StopCondition, Probe> probes = new LinkedHashMap<>();
        for (StopCondition c : scenario.stopConditions()) {
            probes.put(c, Probes.of(c.http(), c.canary(), c.kafkaLag(), c.prometheus(), canary, admin, clock));
        }
        return probes;
    }

    /** Probes in mode {@code before} must hold before the first fault, like stop conditions. */
    private static void preflightProbes(Map<ProbeSpec, Probe> probes) throws InfrastructureException {
        for (var e : probes.entrySet()) {
            if (e.getKey().mode() != ProbeSpec.Mode.BEFORE) {
                continue;
            }
            Probe.Sample s = e.getValue().sample();
            if (!s.ok()) {
                throw new InfrastructureException("preflight: probe '" + e.getKey().name() + "' does not hold: " + s.detail());
            }
        }
    }

    /** Every stop condition holds before the first fault; a run that starts unhealthy proves nothing. */
    private static void preflightStopConditions(Map<StopCondition, Probe> probes) throws InfrastructureException {
        for (var e : probes.entrySet()) {
            Probe.Sample s = e.getValue().sample();
            if (!s.ok()) {
                throw new InfrastructureException("preflight: stop condition '" + e.getKey().name()
                        + "' does not hold before any fault: " + s.detail());
            }
        }
    }

    /**
     * What {@code faultline plan} reports: the timeline, and every reason the scenario could not
     * run now. Empty {@code problems} means every step would be carried out.
     */
    public record Plan(List<String> timeline, List<String> problems) {
    }

    /**
     * Dry run: resolves every inject step's target to live agents, checks their capabilities, asks
     * each agent to check the signed command against its keys and policy (a {@link CheckCommand}),
     * and samples the HTTP stop conditions. Applies nothing and creates no topic.
     */
    public Plan plan(Scenario scenario, String runId) throws InfrastructureException, InterruptedException {
        List<String> timeline = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (Admin admin = KafkaClients.admin(options.bootstrapServers())) {
            KafkaClients.checkReachable(admin, options.bootstrapServers(), Duration.ofSeconds(15));
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new InfrastructureException("cannot list topics: " + e.getMessage());
            }
            for (String t : List.of(options.topics().commands(), options.topics().telemetry())) {
                if (!existing.contains(t)) {
                    problems.add("topic " + t + " does not exist (no agent or run has used this cluster yet)");
                }
            }
            if (!problems.isEmpty()) {
                return new Plan(timeline, problems);
            }
            try (KafkaProducer<String, byte[]> producer = producer();
                 TelemetryFeed telemetry = new TelemetryFeed(options.bootstrapServers(), options.topics().telemetry(),
                         clock, options.heartbeatMaxAge())) {
                long at = 0;
                timeline.add("t+0s       canary " + scenario.workload().canary().rate() + "/s into "
                        + scenario.workload().canary().inputTopic() + ", observed on "
                        + scenario.workload().canary().outputTopic());
                for (StopCondition c : scenario.stopConditions()) {
                    if (c.http() != null) {
                        Probe.Sample sample = new HttpProbe(c.http()).sample();
                        timeline.add("           stop condition '" + c.name() + "': " + sample.detail());
                        if (!sample.ok()) {
                            problems.add("stop condition '" + c.name() + "' does not hold now: " + sample.detail());
                        }
                    } else {
                        timeline.add("           stop condition '" + c.name() + "': canary gap at most "
                                + Durations.format(c.canary().maxGap()) + " (checked during the run)");
                    }
                }
                for (Step step : scenario.steps()) {
                    String when = String.format("t+%-8s ", Durations.format(Duration.ofMillis(at)));
                    if (step.pause() != null) {
                        timeline.add(when + step.describe());
                        at += step.pause().toMillis();
                    } else if (step.heal() != null) {
                        timeline.add(when + step.describe());
                    } else {
                        timeline.add(when + step.describe() + ", lease " + Durations.format(step.inject().lease()));
                        planInjection(scenario, runId, step, admin, producer, telemetry, timeline, problems);
                    }
                }
                ChecksSpec c = scenario.checks();
                timeline.add(String.format("t+%-8s drain up to %s, then check: failover %s, lost <= %d, duplicated <= %d%s%s",
                        Durations.format(Duration.ofMillis(at)), Durations.format(scenario.drain()),
                        c.failover() == null ? "measured" : "<= " + Durations.format(c.failover()), c.lost(), c.duplicated(),
                        c.latencyRecovery() == null ? "" : ", latency back within " + Durations.format(c.latencyRecovery()),
                        c.circuit() == null ? "" : ", circuit " + c.circuit().name() + " closes within "
                                + Durations.format(c.circuit().closesWithin())));
            }
        }
        return new Plan(timeline, problems);
    }

    private void planInjection(Scenario scenario, String runId, Step step, Admin admin,
                               KafkaProducer<String, byte[]> producer, TelemetryFeed telemetry,
                               List<String> timeline, List<String> problems) throws InterruptedException {
        TargetSpec target = scenario.targets().get(step.inject().target());
        telemetry.awaitAgents(hb -> TargetResolver.matches(target, hb), options.heartbeatMaxAge(), options.agentWait());
        List<AgentHeartbeat> agents;
        try {
            agents = resolve(scenario, step.inject().target(), admin, telemetry);
        } catch (InfrastructureException e) {
            problems.add("step '" + step.name() + "': " + e.getMessage());
            return;
        }
        FaultSpec fault = step.inject().fault();
        for (AgentHeartbeat agent : agents) {
            List<String> needs = new ArrayList<>(List.of(fault.type()));
            needs.addAll(fault.requires());
            List<String> missing = needs.stream().filter(c -> !agent.capabilities().contains(c)).toList();
            if (!missing.isEmpty()) {
                problems.add("step '" + step.name() + "': " + agent.agentId() + " lacks " + String.join(", ", missing));
                timeline.add("             -> " + agent.agentId() + ": lacks " + String.join(", ", missing));
                continue;
            }
            Instant now = clock.instant();
            CheckCommand check = new CheckCommand(runId + "." + step.name() + "." + agent.agentId() + ".check", runId,
                    Target.agent(agent.agentId()), fault, now, now.plus(options.commandTimeout()), step.inject().lease());
            TelemetryFeed.Received<CommandEvent> answer;
            try {
                send(producer, check);
                answer = telemetry.awaitCommandEvent(check.commandId(), CHECK_OUTCOMES, options.commandTimeout());
            } catch (InfrastructureException e) {
                problems.add("step '" + step.name() + "': " + e.getMessage());
                continue;
            }
            if (answer == null) {
                problems.add("step '" + step.name() + "': " + agent.agentId() + " did not answer the check within "
                        + Durations.format(options.commandTimeout()));
                timeline.add("             -> " + agent.agentId() + ": no answer");
            } else if (answer.event().step() == CommandEvent.Step.CHECKED) {
                timeline.add("             -> " + agent.agentId() + ": " + answer.event().detail());
            } else {
                problems.add("step '" + step.name() + "': " + agent.agentId() + " would refuse it: " + answer.event().detail());
                timeline.add("             -> " + agent.agentId() + ": REFUSED " + answer.event().detail());
            }
        }
    }

    /** Every inject step's target resolves to live agents that can run its fault. */
    private void preflightAgents(Scenario scenario, TelemetryFeed telemetry)
            throws InfrastructureException, InterruptedException {
        for (Step step : scenario.injections()) {
            TargetSpec target = scenario.targets().get(step.inject().target());
            List<AgentHeartbeat> agents = telemetry.awaitAgents(hb -> TargetResolver.matches(target, hb),
                    options.heartbeatMaxAge(), options.agentWait());
            if (agents.isEmpty()) {
                throw new InfrastructureException("preflight: no live agent matches target '" + step.inject().target()
                        + "' (labels " + target.labels() + "); live agents: "
                        + describe(telemetry.liveAgents(options.heartbeatMaxAge())));
            }
            FaultSpec fault = step.inject().fault();
            List<String> needs = new ArrayList<>();
            needs.add(fault.type());
            needs.addAll(fault.requires());
            List<String> unable = new ArrayList<>();
            for (AgentHeartbeat a : agents) {
                List<String> missing = needs.stream().filter(c -> !a.capabilities().contains(c)).toList();
                if (!missing.isEmpty()) {
                    unable.add(a.agentId() + " lacks " + String.join(", ", missing));
                }
            }
            if (unable.size() == agents.size()) {
                throw new InfrastructureException("preflight: step '" + step.name() + "': no agent of target '"
                        + step.inject().target() + "' can run " + fault.type() + " (" + String.join("; ", unable) + ")");
            }
        }
    }

    private static String describe(List<AgentHeartbeat> agents) {
        return agents.isEmpty() ? "none" : agents.stream().map(a -> a.agentId() + " " + a.labels())
                .collect(Collectors.joining(", "));
    }

    private void awaitFirstCompletion(Scenario scenario, CanaryWorkload canary)
            throws InfrastructureException, InterruptedException {
        Duration timeout = scenario.workload().canary().preflightTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (canary.lastCompletion() == null) {
            if (System.nanoTime() > deadline) {
                throw new InfrastructureException("preflight: canary traffic does not flow end to end: sent "
                        + canary.sentCount() + " to " + scenario.workload().canary().inputTopic() + ", observed none on "
                        + scenario.workload().canary().outputTopic() + " within " + Durations.format(timeout));
            }
            Thread.sleep(50);
        }
    }

    private List<AgentHeartbeat> resolve(Scenario scenario, String targetName, Admin admin, TelemetryFeed telemetry)
            throws InfrastructureException, InterruptedException {
        TargetSpec target = scenario.targets().get(targetName);
        return targets.resolve(targetName, target, telemetry.liveAgents(options.heartbeatMaxAge()),
                () -> GroupOwners.partitionOwner(admin, target.group(), target.topic()));
    }

    private Injection inject(String runId, Step step, AgentHeartbeat agent, KafkaProducer<String, byte[]> producer,
                             TelemetryFeed telemetry) throws InfrastructureException, InterruptedException {
        String commandId = runId + "." + step.name() + "." + agent.agentId();
        Instant invokedAt = clock.instant();
        ApplyCommand command = new ApplyCommand(commandId, runId, Target.agent(agent.agentId()), step.inject().fault(),
                invokedAt, invokedAt.plus(options.commandTimeout()), step.inject().lease());
        Injection inj = new Injection(step.name(), commandId, agent.agentId(), step.inject().fault().type(), invokedAt,
                step.inject().lease());
        send(producer, command);
        TelemetryFeed.Received<CommandEvent> outcome =
                telemetry.awaitCommandEvent(commandId, APPLY_OUTCOMES, options.commandTimeout());
        if (outcome == null) {
            throw new InfrastructureException("agent " + agent.agentId() + " did not report on " + step.name()
                    + " within " + Durations.format(options.commandTimeout()));
        }
        if (outcome.event().step() != CommandEvent.Step.APPLIED) {
            throw new InfrastructureException("agent " + agent.agentId() + " could not apply " + step.name() + " ("
                    + outcome.event().step().wireName() + "): " + outcome.event().detail());
        }
        inj.appliedAt = outcome.receivedAt();
        log.info("{} applied on {}: {}", step.name(), agent.agentId(), outcome.event().detail());
        return inj;
    }

    private void heal(String runId, Injection inj, KafkaProducer<String, byte[]> producer, TelemetryFeed telemetry,
                      LeaseRenewer renewals)
            throws InterruptedException {
        inj.healInvokedAt = clock.instant();
        renewals.release(inj.commandId);
        HealCommand heal = new HealCommand(inj.commandId + ".heal", runId, Target.agent(inj.agentId), inj.commandId,
                inj.healInvokedAt, inj.healInvokedAt.plus(options.commandTimeout()));
        try {
            send(producer, heal);
        } catch (InfrastructureException e) {
            log.error("cannot send heal for {}: {} (the agent's lease will undo it)", inj.commandId, e.getMessage());
            return;
        }
        TelemetryFeed.Received<CommandEvent> outcome =
                telemetry.awaitCommandEvent(inj.commandId, UNDO_OUTCOMES, options.commandTimeout());
        if (outcome != null && outcome.event().step() == CommandEvent.Step.UNDONE) {
            inj.undoneAt = outcome.receivedAt();
            log.info("{} healed on {}: {}", inj.step, inj.agentId, outcome.event().detail());
        } else {
            log.warn("{} on {}: no confirmation of undo{}", inj.step, inj.agentId,
                    outcome == null ? "" : ": " + outcome.event().detail());
        }
    }

    private void healRemaining(String runId, List<Injection> injections, KafkaProducer<String, byte[]> producer,
                               TelemetryFeed telemetry, LeaseRenewer renewals) throws InterruptedException {
        for (Injection inj : injections) {
            if (inj.healInvokedAt == null) {
                log.info("healing {} on {} at the end of the run", inj.step, inj.agentId);
                heal(runId, inj, producer, telemetry, renewals);
            }
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, Command command) throws InfrastructureException {
        try {
            producer.send(new ProducerRecord<>(options.topics().commands(), command.target().recordKey(),
                    options.signer().seal(command))).get(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new InfrastructureException("cannot publish command " + command.commandId() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while publishing " + command.commandId());
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

    private KafkaProducer<String, byte[]> producer() {
        return KafkaClients.producer(options.bootstrapServers(), "faultline-orchestrator");
    }
}

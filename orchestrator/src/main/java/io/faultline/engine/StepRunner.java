package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Durations;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.Step;
import io.faultline.scenario.StopCondition;
import io.faultline.scenario.TargetSpec;
import io.faultline.time.Scheduler;
import io.faultline.verifier.History;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's steps, in order: inject (resolve the target, apply on each agent, enter the fault in the
 * ledger, hold its lease), heal, pause, action ({@link ActionRunner}); under the stop conditions' watch, and ending at once when
 * the run is aborted. Whatever it applied is healed however the steps end.
 */
final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

    private final Scenario scenario;
    private final String runId;
    private final RunOptions options;
    private final Clock clock;
    private final Function<String, Scheduler> schedulers;
    private final RunResources kafka;
    private final AgentChannel agents;
    private final TargetResolver targets;
    private final InjectionLedger ledger;
    private final HealthWatches health;
    private final Abort abort;
    /** Where the steps' waits pass. */
    private final Scheduler time;
    /** What the action steps did, in order, for the verdict. */
    private final List<History.ActionRun> actions;
    private final ActionRunner actionRunner;

    StepRunner(Scenario scenario, String runId, RunOptions options, Clock clock,
               Function<String, Scheduler> schedulers, RunResources kafka, AgentChannel agents, TargetResolver targets,
               InjectionLedger ledger, HealthWatches health, Abort abort, Scheduler time,
               List<History.ActionRun> actions) {
        this.scenario = scenario;
        this.runId = runId;
        this.options = options;
        this.clock = clock;
        this.schedulers = schedulers;
        this.kafka = kafka;
        this.agents = agents;
        this.targets = targets;
        this.ledger = ledger;
        this.health = health;
        this.abort = abort;
        this.time = time;
        this.actions = actions;
        this.actionRunner = new ActionRunner(clock);
    }

    /**
     * Whether the target's health after heal is judged: when the heal is meant to give it back, or
     * when the scenario asks ({@code checks.healthy}: something else, such as Kubernetes, brings a
     * crashed service back).
     */
    static boolean judgesHealth(Scenario scenario, Step step) {
        return scenario.checks().healthy() != null || step.inject().fault().healRestores();
    }

    /**
     * Runs the scenario's steps, under the stop conditions' watch and with every fault's lease
     * renewed; heals what is left however the steps end.
     */
    @SuppressWarnings("try") // the monitor works by being open
    void run(Map<StopCondition, Probe> stopConditions, Progress progress, ProbeSampler samples)
            throws InfrastructureException, InterruptedException {
        try (Scheduler renewalTimer = schedulers.apply("lease-renewal");
             LeaseRenewer renewals = new LeaseRenewer(renewalTimer, runId, agents::renew);
             Scheduler stopTimer = schedulers.apply("stop-conditions");
             StopConditionMonitor monitor = new StopConditionMonitor(stopTimer, stopConditions, abort)) {
            try {
                for (int i = 0; i < scenario.steps().size() && !abort.tripped(); i++) {
                    Step step = scenario.steps().get(i);
                    progress.step(i + 1, step.describe());
                    if (step.pause() != null) {
                        abort.pause(step.pause());
                    } else if (step.inject() != null) {
                        inject(step, renewals, progress, samples);
                    } else if (step.action() != null) {
                        // An abort cuts a command short; the rollbacks still run after the steps.
                        actions.add(actionRunner.run(step.name(), false, step.action(), abort::tripped));
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
     * The scenario's rollbacks, in order, once the steps have ended however they ended (and their
     * faults were healed): each runs to its end or its timeout, whatever the one before did.
     */
    void rollbacks(Progress progress) throws InterruptedException {
        for (Step r : scenario.rollbacks()) {
            progress.step(scenario.steps().size(), "rollback " + r.name() + " (" + r.action().describe() + ")");
            actions.add(actionRunner.run(r.name(), true, r.action(), () -> false));
        }
    }

    private void inject(Step step, LeaseRenewer renewals, Progress progress, ProbeSampler samples)
            throws InfrastructureException, InterruptedException {
        String name = step.inject().target();
        TargetSpec target = scenario.targets().get(name);
        List<AgentHeartbeat> resolved = targets.resolve(name, target,
                kafka.telemetry().liveAgents(options.heartbeatMaxAge()),
                () -> GroupOwners.members(kafka.admin(), target.group(), target.topic(), time),
                new BrokerPicks(kafka.admin()));
        for (AgentHeartbeat agent : resolved) {
            Instant invokedAt = clock.instant();
            AgentChannel.Outcome outcome = agents.apply(step.name(), agent.agentId(), step.inject().fault(),
                    step.inject().lease(), invokedAt);
            if (!outcome.answered()) {
                // It may have applied it all the same (its report held up on the way): the end of the run heals it.
                ledger.unconfirmed(step.name(), outcome.commandId(), agent.agentId(), step.inject().fault().type(),
                        invokedAt, step.inject().lease());
                throw new InfrastructureException("agent " + agent.agentId() + " did not report on " + step.name()
                        + " within " + Durations.format(options.commandTimeout()) + "; a heal is sent in case it was "
                        + "applied (its lease, " + Durations.format(step.inject().lease()) + ", undoes it otherwise)");
            }
            if (!outcome.is(CommandEvent.Step.APPLIED)) {
                throw new InfrastructureException("agent " + agent.agentId() + " could not apply " + step.name()
                        + " (" + outcome.step().wireName() + "): " + outcome.detail());
            }
            InjectionLedger.Injection inj = ledger.applied(step.name(), outcome.commandId(), agent.agentId(),
                    step.inject().fault().type(), invokedAt, step.inject().lease(), outcome.at());
            renewals.hold(inj.commandId, inj.agentId, inj.lease);
            log.info("{} applied on {}: {}", step.name(), agent.agentId(), outcome.detail());
            if (judgesHealth(scenario, step)) {
                health.service(step.name(), agent, kafka.telemetry(), options.heartbeatMaxAge());
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
}

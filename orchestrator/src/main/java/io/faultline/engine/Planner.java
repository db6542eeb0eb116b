package io.faultline.engine;

import io.faultline.probe.HttpProbe;
import io.faultline.probe.Probe;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.Step;
import io.faultline.scenario.StopCondition;
import io.faultline.time.Scheduler;
import io.faultline.workload.CanaryWorkload;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * The dry run behind {@code faultline plan}: resolves every inject step's target to live agents
 * with the run's own preflight, asks each agent to check the signed command against its keys and
 * policy (a check command), and samples the HTTP stop conditions. Applies nothing and creates no
 * topic, but for the canary's own two with {@code --canary} (as the run would).
 */
public final class Planner {
    private final RunOptions options;
    private final Clock clock;
    /** Where the plan's waits pass. */
    private final Scheduler time;
    private final TargetResolver targets = new TargetResolver(new SecureRandom());

    public Planner(RunOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
        this.time = Scheduler.system("plan", clock);
    }

    public Plan plan(Scenario scenario, String runId) throws InfrastructureException, InterruptedException {
        return plan(scenario, runId, false);
    }

    /**
     * As {@link #plan(Scenario, String)}; with {@code canaryRoundTrip}, also sends canaries through
     * the system under test (the only thing a plan then does to it) until the first comes back or
     * the scenario's preflight timeout passes, so a scenario whose canary cannot be verified is
     * caught before the game-day.
     */
    public Plan plan(Scenario scenario, String runId, boolean canaryRoundTrip)
            throws InfrastructureException, InterruptedException {
        List<Plan.Entry> timeline = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Duration at = Duration.ZERO;
        try (RunResources kafka = RunResources.open(options, clock)) {
            Admin admin = kafka.admin();
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new InfrastructureException("cannot list topics: " + e.getMessage());
            }
            for (String t : List.of(options.topics().commands(), options.topics().telemetry())) {
                if (!existing.contains(t)) {
                    problems.add("topic " + t + " does not exist: create Faultline's topics with 'faultline init'");
                }
            }
            if (!problems.isEmpty()) {
                return new Plan(timeline, at, problems);
            }
            {
                TelemetryFeed telemetry = kafka.telemetry();
                AgentChannel agents = new AgentChannel(kafka.producer(), options.topics().commands(),
                        options.signer(), telemetry, clock, options.commandTimeout(), runId);
                Preflight preflight = new Preflight(telemetry, options.heartbeatMaxAge(), options.agentWait());
                var canary = scenario.canary();
                timeline.add(new Plan.Entry(at, canary == null ? "no canary: judged by probes and faults only"
                        : "canary " + canary.rate() + "/s into " + canary.inputTopic() + ", observed on "
                        + canary.outputTopic(), List.of()));
                if (canaryRoundTrip && canary != null) {
                    // The run creates the canary's topics when missing; so does a plan that sends canaries.
                    KafkaClients.ensureCanaryTopics(scenario.canary(), admin);
                    timeline.add(canaryRoundTrip(scenario, runId, problems));
                }
                for (StopCondition c : scenario.stopConditions()) {
                    timeline.add(stopCondition(c, problems));
                }
                for (Step step : scenario.steps()) {
                    if (step.pause() != null) {
                        timeline.add(new Plan.Entry(at, step.describe(), List.of()));
                        at = at.plus(step.pause());
                    } else if (step.heal() != null || step.action() != null) {
                        timeline.add(new Plan.Entry(at, step.describe() + (step.action() == null ? ""
                                : ", within " + Durations.format(step.action().timeout())), List.of()));
                    } else {
                        timeline.add(new Plan.Entry(at, step.describe() + ", lease "
                                + Durations.format(step.inject().lease()),
                                check(scenario, step, admin, telemetry, preflight, agents, problems)));
                    }
                }
            }
        }
        return new Plan(timeline, at, problems);
    }

    /** Sends canaries until the first comes back; a problem, with what did arrive, when none does in time. */
    private Plan.Entry canaryRoundTrip(Scenario scenario, String runId, List<String> problems)
            throws InterruptedException {
        Instant start = clock.instant();
        try (CanaryWorkload canary = new CanaryWorkload(options.kafka(),
                runId, scenario.canary(), clock)) {
            canary.start();
            List<String> found = Preflight.canaryFlows(scenario, canary);
            canary.stopProducing();
            if (!found.isEmpty()) {
                problems.addAll(found);
                return new Plan.Entry(null, "canary round trip: none came back within "
                        + Durations.format(scenario.canary().preflightTimeout()), List.of());
            }
            return new Plan.Entry(null, "canary round trip: the first canary came back "
                    + Duration.between(start, canary.lastCompletion()).toMillis() + " ms after the start ("
                    + canary.extractor() + ")", List.of());
        }
    }

    /** HTTP stop conditions are sampled now; the others need the run's canary and are described. */
    private static Plan.Entry stopCondition(StopCondition c, List<String> problems) {
        if (c.http() == null) {
            String what = c.canary() != null ? "canary gap at most " + Durations.format(c.canary().maxGap())
                    : c.kafkaLag() != null ? "lag of group " + c.kafkaLag().group() + " on " + c.kafkaLag().topic()
                            + " at most " + c.kafkaLag().max()
                    : "Prometheus query " + c.prometheus().query() + " within " + c.prometheus().min() + ".."
                            + c.prometheus().max();
            return new Plan.Entry(null, "stop condition '" + c.name() + "': " + what + " (checked during the run)",
                    List.of());
        }
        Probe.Sample sample = new HttpProbe(c.http()).sample();
        if (!sample.ok()) {
            problems.add("stop condition '" + c.name() + "' does not hold now: " + sample.detail());
        }
        return new Plan.Entry(null, "stop condition '" + c.name() + "': " + sample.detail(), List.of());
    }

    private List<Plan.Answer> check(Scenario scenario, Step step, Admin admin, TelemetryFeed telemetry,
                                    Preflight preflight, AgentChannel channel, List<String> problems)
            throws InterruptedException {
        String unable = preflight.agents(scenario, step);
        if (unable != null) {
            problems.add(unable);
            return List.of();
        }
        List<AgentHeartbeat> resolved;
        try {
            String name = step.inject().target();
            var target = scenario.targets().get(name);
            // As the run's preflight does: a group target is tried again while its agents may still be starting.
            resolved = target.pick().byKafka()
                    ? targets.resolveWithin(name, target, () -> telemetry.liveAgents(options.heartbeatMaxAge()),
                            () -> GroupOwners.members(admin, target.group(), target.topic(), time),
                            new BrokerPicks(admin), options.agentWait(), time).agents()
                    : targets.resolve(name, target, telemetry.liveAgents(options.heartbeatMaxAge()),
                            () -> GroupOwners.members(admin, target.group(), target.topic(), time));
        } catch (InfrastructureException e) {
            problems.add("step '" + step.name() + "': " + e.getMessage());
            return List.of();
        }
        FaultSpec fault = step.inject().fault();
        List<Plan.Answer> answers = new ArrayList<>();
        for (AgentHeartbeat agent : resolved) {
            List<String> missing = Preflight.lacks(fault, agent);
            if (!missing.isEmpty()) {
                problems.add("step '" + step.name() + "': " + agent.agentId() + " lacks "
                        + Preflight.describeLacks(missing));
                answers.add(new Plan.Answer(agent.agentId(), Plan.Answer.Kind.LACKS, String.join(", ", missing)));
                continue;
            }
            AgentChannel.Outcome answer;
            try {
                answer = channel.check(step.name(), agent.agentId(), fault, step.inject().lease());
            } catch (InfrastructureException e) {
                problems.add("step '" + step.name() + "': " + e.getMessage());
                continue;
            }
            if (!answer.answered()) {
                problems.add("step '" + step.name() + "': " + agent.agentId() + " did not answer the check within "
                        + Durations.format(channel.timeout()));
                answers.add(new Plan.Answer(agent.agentId(), Plan.Answer.Kind.NO_ANSWER, null));
            } else if (answer.is(CommandEvent.Step.CHECKED)) {
                answers.add(new Plan.Answer(agent.agentId(), Plan.Answer.Kind.READY, answer.detail()));
            } else {
                problems.add("step '" + step.name() + "': " + agent.agentId() + " would refuse it: " + answer.detail());
                answers.add(new Plan.Answer(agent.agentId(), Plan.Answer.Kind.REFUSED, answer.detail()));
            }
        }
        return answers;
    }
}

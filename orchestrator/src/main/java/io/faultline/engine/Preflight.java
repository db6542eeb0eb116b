package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.Capability;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.Step;
import io.faultline.scenario.StopCondition;
import io.faultline.scenario.TargetSpec;
import io.faultline.time.Scheduler;
import io.faultline.workload.CanaryWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;

/**
 * What must hold before the first fault: live, able agents for every inject step, canary traffic
 * flowing end to end, every stop condition and every {@code before} probe. Each check returns the
 * problems it found, so {@code run} stops at the first and {@code plan} lists them all.
 */
final class Preflight {
    private final TelemetryFeed telemetry;
    private final Duration heartbeatMaxAge;
    private final Duration agentWait;

    Preflight(TelemetryFeed telemetry, Duration heartbeatMaxAge, Duration agentWait) {
        this.telemetry = telemetry;
        this.heartbeatMaxAge = heartbeatMaxAge;
        this.agentWait = agentWait;
    }

    /** Throws the first problem, if any. */
    static void require(List<String> problems) throws InfrastructureException {
        if (!problems.isEmpty()) {
            throw new InfrastructureException("preflight: " + problems.get(0));
        }
    }

    /** Waits up to the agent wait for live agents of {@code step}'s target. */
    List<AgentHeartbeat> liveTargets(Scenario scenario, Step step) throws InterruptedException {
        TargetSpec target = scenario.targets().get(step.inject().target());
        return telemetry.awaitAgents(hb -> TargetResolver.matches(target, hb), heartbeatMaxAge, agentWait);
    }

    /** Every inject step's target resolves to live agents, at least one of which can run its fault. */
    List<String> agents(Scenario scenario) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        for (Step step : scenario.injections()) {
            String problem = agents(scenario, step);
            if (problem != null) {
                problems.add(problem);
            }
        }
        return problems;
    }

    /**
     * Why {@code step} cannot run on the live agents (none matches its target, or none of them
     * can run its fault), in the words {@code run} and {@code plan} both use; null when it can.
     */
    String agents(Scenario scenario, Step step) throws InterruptedException {
        TargetSpec target = scenario.targets().get(step.inject().target());
        List<AgentHeartbeat> agents = liveTargets(scenario, step);
        if (agents.isEmpty()) {
            String refused = telemetry.gate().describeRefusals();
            return "no live agent matches target '" + step.inject().target() + "' (labels "
                    + target.labels() + "); live agents: " + describe(telemetry.liveAgents(heartbeatMaxAge))
                    + (refused == null ? "" : "; " + refused);
        }
        FaultSpec fault = step.inject().fault();
        List<String> unable = new ArrayList<>();
        for (AgentHeartbeat a : agents) {
            List<String> missing = lacks(fault, a);
            if (!missing.isEmpty()) {
                unable.add(a.agentId() + " lacks " + describeLacks(missing));
            }
        }
        if (unable.size() == agents.size()) {
            return "step '" + step.name() + "': no agent of target '" + step.inject().target()
                    + "' can run " + fault.type() + " (" + String.join("; ", unable) + ")";
        }
        return null;
    }

    /** Missing capabilities, each with how an agent gets it: {@code service-restart (start the agent ...)}. */
    static String describeLacks(List<String> missing) {
        return String.join(", ", missing.stream().map(c -> Capability.howToGet(c).isEmpty() ? c
                : c + " (" + Capability.howToGet(c) + ")").toList());
    }

    /** The capabilities {@code fault} needs that {@code agent} does not announce. */
    static List<String> lacks(FaultSpec fault, AgentHeartbeat agent) {
        List<String> needs = new ArrayList<>();
        needs.add(fault.type());
        needs.addAll(fault.requires());
        return needs.stream().filter(c -> !agent.capabilities().contains(c)).toList();
    }

    /** Waits up to the scenario's preflight timeout for the first canary to complete end to end. */
    static List<String> canaryFlows(Scenario scenario, CanaryWorkload canary) throws InterruptedException {
        Duration timeout = scenario.canary().preflightTimeout();
        if (canary.awaitFirstCompletion(timeout)) {
            return List.of();
        }
        String out = scenario.canary().outputTopic();
        long records = canary.outputRecords();
        String seen = records == 0 ? "no record arrived on " + out
                : records + " record(s) arrived on " + out + ", none carrying a canary id of this run "
                        + canary.extractor() + "; the first: " + canary.example();
        return List.of("canary traffic does not flow end to end: sent " + canary.sentCount() + " to "
                + scenario.canary().inputTopic() + " within " + Durations.format(timeout) + "; " + seen);
    }

    /** Every stop condition holds now; a run that starts unhealthy proves nothing. */
    static List<String> stopConditions(Map<StopCondition, Probe> probes) {
        List<String> problems = new ArrayList<>();
        probes.forEach((condition, probe) -> {
            Probe.Sample s = probe.sample();
            if (!s.ok()) {
                problems.add("stop condition '" + condition.name() + "' does not hold before any fault: "
                        + s.detail());
            }
        });
        return problems;
    }

    /** Probes in mode {@code before} hold now, like stop conditions. */
    static List<String> probes(Map<ProbeSpec, Probe> probes) {
        List<String> problems = new ArrayList<>();
        probes.forEach((spec, probe) -> {
            if (spec.mode() == ProbeSpec.Mode.BEFORE) {
                Probe.Sample s = probe.sample();
                if (!s.ok()) {
                    problems.add("probe '" + spec.name() + "' does not hold: " + s.detail());
                }
            }
        });
        return problems;
    }

    static String describe(List<AgentHeartbeat> agents) {
        return agents.isEmpty() ? "none" : agents.stream().map(a -> a.agentId() + " " + a.labels())
                .collect(Collectors.joining(", "));
    }

    /**
     * Every target picked from a consumer group resolves now, before any fault: a member with no
     * agent beside it is found here, with the members and agents there are, not mid-run. Agents
     * may still be starting beside the members: each is tried again until the agent wait is up.
     *
     * @param resolved told of each group target that resolved, with the members found
     */
    List<String> groupTargets(Scenario scenario, TargetResolver targets, Admin admin, Scheduler time,
                              BiConsumer<Step, TargetResolver.Resolved> resolved) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        for (Step step : scenario.injections()) {
            String name = step.inject().target();
            TargetSpec target = scenario.targets().get(name);
            if (!target.pick().byKafka()) {
                continue;
            }
            try {
                resolved.accept(step, targets.resolveWithin(name, target, () -> telemetry.liveAgents(heartbeatMaxAge),
                        () -> GroupOwners.members(admin, target.group(), target.topic(), time), new BrokerPicks(admin),
                        agentWait, time));
            } catch (InfrastructureException e) {
                problems.add("step '" + step.name() + "': " + e.getMessage());
            }
        }
        return problems;
    }
}

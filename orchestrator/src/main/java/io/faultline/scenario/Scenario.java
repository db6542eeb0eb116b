package io.faultline.scenario;

import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A game-day as the SRE wrote it: named targets, the canary workload, the steps to run and the
 * checks the verdict applies. A Scenario that exists is valid: every cross-reference resolves.
 *
 * @param drain          how long to wait after the last step for in-flight canaries before verifying
 * @param stopConditions probes that must hold throughout; when one trips the run is aborted
 * @param probes         steady-state probes judged as checks of the verdict
 * @param rollbacks      actions run once the steps end, however they end (done, aborted, halted,
 *                       interrupted, in error), each judged as a {@code rollback[NAME]} check
 */
public record Scenario(String name, String description, Map<String, TargetSpec> targets, WorkloadSpec workload,
                       List<Step> steps, Duration drain, ChecksSpec checks, List<StopCondition> stopConditions,
                       List<ProbeSpec> probes, List<Step> rollbacks) {
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    public Scenario {
        Checks.id("name", name);
        targets = targets == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        if (workload == null) {
            requireNoCanaryUse(checks, stopConditions, probes);
        }
        Checks.required("steps", steps);
        if (steps.isEmpty()) {
            throw new InvalidFieldException("steps", "must list at least one step");
        }
        steps = List.copyOf(steps);
        drain = drain == null ? DEFAULT_DRAIN : Checks.positive("drain", drain);
        checks = checks == null ? ChecksSpec.DEFAULTS : checks;
        if (workload != null && workload.canary() != null && workload.canary().input().keyPerCanary()) {
            // Every canary has a key of its own: the service keeps no order per key to judge.
            checks = checks.withoutOrder();
        }
        stopConditions = stopConditions == null ? List.of() : List.copyOf(stopConditions);
        probes = probes == null ? List.of() : List.copyOf(probes);
        rollbacks = rollbacks == null ? List.of() : List.copyOf(rollbacks);
        validateReferences(targets, steps);
        validateRollbacks(steps, rollbacks);
        String healthProbe = checks.healthy() == null ? null : checks.healthy().probe();
        if (healthProbe != null && probes.stream().noneMatch(p -> p.name().equals(healthProbe))) {
            throw new InvalidFieldException("checks.healthy.probe", "no probe named '" + healthProbe
                    + "' under probes:" + (probes.isEmpty() ? " (there are none)"
                    : " (defined: " + String.join(", ", probes.stream().map(ProbeSpec::name).toList()) + ")"));
        }
        Set<String> conditionNames = new HashSet<>();
        for (int i = 0; i < stopConditions.size(); i++) {
            if (!conditionNames.add(stopConditions.get(i).name())) {
                throw new InvalidFieldException("stopConditions[" + i + "].name", "name '"
                        + stopConditions.get(i).name() + "' is used twice");
            }
        }
    }

    /**
     * The canary this game-day runs through the system under test; null for a scenario without a
     * {@code workload} (probes and faults only: a post-deploy smoke test, a dependency drill).
     */
    public CanarySpec canary() {
        return workload == null ? null : workload.canary();
    }

    /** Without a canary nothing measures failover, loss or latency; a scenario asking for them is refused. */
    private static void requireNoCanaryUse(ChecksSpec checks, List<StopCondition> stopConditions, List<ProbeSpec> probes) {
        String why = "needs a canary: add workload.canary, or judge this game-day by probes (a scenario without a "
                + "workload has no canary traffic)";
        if (checks != null) {
            if (checks.failover() != null) {
                throw new InvalidFieldException("checks.failover", why);
            }
            if (checks.latencyRecovery() != null) {
                throw new InvalidFieldException("checks.latencyRecovery", why);
            }
            if (checks.rejoin() != null) {
                throw new InvalidFieldException("checks.rejoin", why);
            }
            if (checks.latency() != null) {
                throw new InvalidFieldException("checks.latency", why);
            }
            if (checks.throughput() != null) {
                throw new InvalidFieldException("checks.throughput", why);
            }
            if (checks.regression() != null) {
                throw new InvalidFieldException("checks.regression", why);
            }
        }
        for (int i = 0; stopConditions != null && i < stopConditions.size(); i++) {
            if (stopConditions.get(i).canary() != null) {
                throw new InvalidFieldException("stopConditions[" + i + "].canary", why);
            }
        }
        for (int i = 0; probes != null && i < probes.size(); i++) {
            if (probes.get(i).canary() != null) {
                throw new InvalidFieldException("probes[" + i + "].canary", why);
            }
        }
    }

    private static void validateReferences(Map<String, TargetSpec> targets, List<Step> steps) {
        Set<String> names = new HashSet<>();
        Set<String> injected = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String at = "steps[" + i + "]";
            if (s.name() != null && !names.add(s.name())) {
                throw new InvalidFieldException(at + ".name", "step name '" + s.name() + "' is used twice");
            }
            if (s.inject() != null) {
                if (!targets.containsKey(s.inject().target())) {
                    throw new InvalidFieldException(at + ".inject.target", "no target named '" + s.inject().target()
                            + "' (defined: " + String.join(", ", targets.keySet()) + ")");
                }
                injected.add(s.name());
            }
            if (s.heal() != null && !injected.contains(s.heal())) {
                throw new InvalidFieldException(at + ".heal", "no earlier inject step named '" + s.heal() + "'");
            }
        }
    }

    /** Rollbacks are actions, each named once among the steps and rollbacks: its name names its check. */
    private static void validateRollbacks(List<Step> steps, List<Step> rollbacks) {
        Set<String> names = new HashSet<>();
        steps.stream().filter(s -> s.action() != null).forEach(s -> names.add(s.name()));
        for (int i = 0; i < rollbacks.size(); i++) {
            Step r = rollbacks.get(i);
            if (r.action() == null) {
                throw new InvalidFieldException("rollbacks[" + i + "]", "a rollback is an action (run or http), not a "
                        + "wait, inject or heal: faults are healed by the run whatever happens");
            }
            if (!names.add(r.name())) {
                throw new InvalidFieldException("rollbacks[" + i + "].name", "action name '" + r.name()
                        + "' is used twice");
            }
        }
    }

    /** The inject steps, in order. */
    public List<Step> injections() {
        return steps.stream().filter(s -> s.inject() != null).toList();
    }
}

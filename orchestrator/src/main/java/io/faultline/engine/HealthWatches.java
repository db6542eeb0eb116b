package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.Durations;
import io.faultline.scenario.Scenario;
import io.faultline.time.Scheduler;
import io.faultline.verifier.History;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;

/**
 * What tells each inject step's target is healthy again after heal, sampled all run long: the
 * consumer group the target was picked from has as many members as it had at preflight, and the
 * service each targeted agent sits beside (its heartbeat says) runs. The verifier judges the
 * samples from heal on ({@code healthy[STEP]}).
 */
final class HealthWatches {
    /** How often each watch is sampled. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final List<History.HealthWatch> watches = new ArrayList<>();
    private final Map<String, Probe> probes = new LinkedHashMap<>();

    /** Watches {@code group} for the fault {@code step}: healthy while it has at least {@code members} members. */
    synchronized void group(String step, Admin admin, String group, int members) {
        String subject = "group " + group;
        watches.add(new History.HealthWatch(step, subject));
        probes.putIfAbsent(subject, new GroupMembersProbe(admin, group, members));
    }

    /** Watches the service {@code agentId} sits beside for the fault {@code step}, if it reports one. */
    synchronized void service(String step, AgentHeartbeat agent, TelemetryFeed telemetry, Duration maxAge) {
        if (agent.service() == null) {
            return;
        }
        String subject = "service of " + agent.agentId();
        watches.add(new History.HealthWatch(step, subject));
        probes.putIfAbsent(subject, new ServiceProbe(telemetry, agent.agentId(), maxAge));
    }

    synchronized List<History.HealthWatch> watches() {
        return List.copyOf(watches);
    }

    synchronized Map<String, Probe> probes() {
        return Map.copyOf(probes);
    }

    /** A consumer group holding at least the members it had before the first fault. */
    record GroupMembersProbe(Admin admin, String group, int expected) implements Probe {
        @Override
        public String describe() {
            return "members of group " + group;
        }

        @Override
        public Sample sample() {
            try {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS)
                        .get(group);
                int n = d.members().size();
                String detail = n + " member" + (n == 1 ? "" : "s") + " (" + expected + " before the first fault)";
                return n >= expected ? Sample.ok(detail) : Sample.failed(detail);
            } catch (ExecutionException e) {
                return Sample.failed("cannot describe group " + group + ": " + e.getCause().getMessage());
            } catch (TimeoutException e) {
                return Sample.failed("cannot describe group " + group + ": no answer within 5s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Sample.failed("interrupted");
            }
        }
    }

    /** The service an agent sits beside runs, as its latest heartbeat says. */
    record ServiceProbe(TelemetryFeed telemetry, String agentId, Duration maxAge) implements Probe {
        @Override
        public String describe() {
            return "the service of agent " + agentId;
        }

        @Override
        public Sample sample() {
            AgentHeartbeat hb = telemetry.liveAgents(maxAge).stream().filter(a -> a.agentId().equals(agentId))
                    .findFirst().orElse(null);
            if (hb == null) {
                return Sample.failed("no heartbeat from agent " + agentId);
            }
            if (hb.service() == null || !hb.service().running()) {
                return Sample.failed("not running");
            }
            return Sample.ok("running, pid " + hb.service().pid());
        }
    }

    /** How long after the last heal a run waits for its targets to be healthy, unless {@code checks.healthy.within} says. */
    static final Duration HEALTH_WAIT = Duration.ofSeconds(30);
    /** How often the wait for health after heal looks again. */
    static final Duration HEALTH_POLL = Duration.ofMillis(200);

    /**
     * After the drain, waits for the targets whose health is judged to be healthy again: at most
     * {@code checks.healthy.within} (else {@link #HEALTH_WAIT}) from the last heal, on {@code time},
     * so a member that takes a few seconds to rejoin its group is seen back, and one that never
     * does is judged at that bound.
     */
    void awaitHealthy(Scenario scenario, InjectionLedger ledger, ProbeSampler samples, Progress progress,
                      Scheduler time) throws InterruptedException {
        Set<String> subjects = new LinkedHashSet<>();
        watches().forEach(w -> subjects.add(w.subject()));
        var healthy = scenario.checks().healthy();
        if (healthy != null && healthy.probe() != null && !ledger.windows().isEmpty()) {
            subjects.add(healthy.probe());
        }
        if (subjects.isEmpty()) {
            return;
        }
        Clock clock = time.clock();
        Instant lastHeal = ledger.windows().stream().map(w -> w.undoneAt() != null ? w.undoneAt() : w.healInvokedAt())
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(clock.instant());
        Duration bound = healthy != null && healthy.within() != null ? healthy.within() : HEALTH_WAIT;
        Instant deadline = lastHeal.plus(bound);
        if (samples.holdSince(subjects, lastHeal) || !clock.instant().isBefore(deadline)) {
            return;
        }
        progress.step(scenario.steps().size(), "waiting up to " + Durations.format(bound)
                + " after heal for the targets to be healthy again");
        time.pollUntil(Duration.between(clock.instant(), deadline), HEALTH_POLL,
                () -> samples.holdSince(subjects, lastHeal));
    }
}

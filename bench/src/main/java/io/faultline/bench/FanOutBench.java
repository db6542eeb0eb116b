package io.faultline.bench;

import io.faultline.agent.Agent;
import io.faultline.engine.TelemetryFeed;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fan-out: N agents in one JVM, each with its own Kafka consumer (assign(), no group), receive one
 * broadcast command (labels, key *) and freeze their own sleeper. Measured: publish -> each
 * agent's applied report at the orchestrator, p50 and p99 over the agents, and the time until
 * the last one.
 */
final class FanOutBench {
    private static final int WARMUP = 2;

    private FanOutBench() {
    }

    static void run(String bootstrap, Path dir, int agents, int rounds, Report report) throws Exception {
        List<Long> perAgent = new ArrayList<>();
        List<Long> received = new ArrayList<>();
        List<Long> allDone = new ArrayList<>();
        List<Long> acks = new ArrayList<>();
        List<Long> allAcked = new ArrayList<>();
        try (Rig rig = new Rig(bootstrap, "bench-fanout-" + agents + ".", Files.createDirectories(dir.resolve("fanout-" + agents)))) {
            List<Agent> started = new ArrayList<>();
            long startT = System.nanoTime();
            for (int i = 0; i < agents; i++) {
                started.add(rig.agent("fan-" + i, Map.of("bench", "fanout"), rig.sleeper("fan-" + i), Duration.ofSeconds(10)));
            }
            for (Agent a : started) {
                if (!a.awaitReady(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("an agent did not get ready");
                }
            }
            double startupS = (System.nanoTime() - startT) / 1e9;
            System.err.printf("fan-out %d: all agents ready after %.1f s; %d + %d warm-up broadcasts follow%n", agents,
                    startupS, rounds, WARMUP);
            // The first broadcasts compile the command path in this one JVM for all agents at once
            // (the JIT threads then take most of the CPU); agents on their own hosts each pay it once.
            for (int r = -WARMUP; r < rounds; r++) {
                Instant now = Instant.now();
                ApplyCommand stop = new ApplyCommand("fan-" + agents + "-" + r, "bench", new Target(null,
                        Map.of("bench", "fanout")), new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(60),
                        Duration.ofSeconds(3));
                long t0 = System.nanoTime();
                Instant sentAt = Instant.now();
                rig.send(stop);
                long deadline = t0 + Duration.ofSeconds(60).toNanos();
                List<TelemetryFeed.Received<CommandEvent>> applied;
                do {
                    Thread.sleep(5);
                    applied = rig.feed.commandEventsOf(stop.commandId()).stream()
                            .filter(e -> e.event().step() == CommandEvent.Step.APPLIED).toList();
                } while (applied.size() < agents && System.nanoTime() < deadline);
                if (r < 0) {
                    Thread.sleep(4000);
                    continue;
                }
                long last = 0;
                long lastAck = 0;
                for (var e : applied) {
                    long ns = Duration.between(sentAt, e.event().at()).toNanos();
                    long ackNs = Duration.between(sentAt, e.receivedAt()).toNanos();
                    perAgent.add(ns);
                    acks.add(ackNs);
                    last = Math.max(last, ns);
                    lastAck = Math.max(lastAck, ackNs);
                }
                allDone.add(last);
                allAcked.add(lastAck);
                rig.feed.commandEventsOf(stop.commandId()).stream()
                        .filter(e -> e.event().step() == CommandEvent.Step.RECEIVED)
                        .forEach(e -> received.add(Duration.between(sentAt, e.event().at()).toNanos()));
                if (applied.size() < agents) {
                    report.md("fan-out " + agents + ": only " + applied.size() + " agents applied within 60 s");
                }
                Thread.sleep(4000);
            }
            report.put("fanout-" + agents, "startup-seconds", startupS);
            started.parallelStream().forEach(Agent::close);
        }
        Stats each = Stats.ofNanos(perAgent);
        Stats last = Stats.ofNanos(allDone);
        Stats got = Stats.ofNanos(received);
        Stats acked = Stats.ofNanos(acks);
        Stats lastAcked = Stats.ofNanos(allAcked);
        report.put("fanout-" + agents, "per-agent-received", got);
        report.put("fanout-" + agents, "per-agent-applied", each);
        report.put("fanout-" + agents, "last-agent-applied", last);
        report.put("fanout-" + agents, "per-agent-ack-at-orchestrator", acked);
        report.put("fanout-" + agents, "last-ack-at-orchestrator", lastAcked);
        report.md("## Fan-out: " + agents + " agents in one JVM, one broadcast command (" + rounds + " rounds after "
                + WARMUP + " warm-up rounds)\n");
        report.md("Agents' own `received` and `applied` timestamps (one host clock), and when the orchestrator read "
                + "each ack.\n");
        report.md(Stats.header());
        report.md(got.row("publish -> an agent has read and verified the command"));
        report.md(each.row("publish -> an agent has applied it"));
        report.md(last.row("publish -> the last agent has applied it"));
        report.md(acked.row("publish -> an agent's applied ack read by the orchestrator"));
        report.md(lastAcked.row("publish -> the last ack read by the orchestrator"));
        report.md("");
    }
}

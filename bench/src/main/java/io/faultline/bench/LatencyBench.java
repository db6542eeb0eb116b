package io.faultline.bench;

import io.faultline.agent.Agent;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.TelemetryFeed;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Halt;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Command latency against the floor Kafka sets, on one broker in one run: raw produce -> consume
 * (EndToEndLatency's method: one record at a time, acks=all, the consumer polls until it
 * arrives), raw request -> reply over two topics (the same two hops a command and its ack take),
 * and Faultline's publish -> agent applied-ack for a real STOP of a sleeper, then heal ->
 * undone-ack, lease lapse -> undone and halt -> all undone.
 */
final class LatencyBench {
    private LatencyBench() {
    }

    static void run(String bootstrap, Path dir, int n, Report report) throws Exception {
        Stats oneWay = raw(bootstrap, n, false);
        Stats roundTrip = raw(bootstrap, n, true);
        List<Long> apply = new ArrayList<>();
        List<Long> heal = new ArrayList<>();
        List<Long> toAgent = new ArrayList<>();
        List<Long> inAgent = new ArrayList<>();
        List<Long> toOrchestrator = new ArrayList<>();
        try (Rig rig = new Rig(bootstrap, "bench-latency.", Files.createDirectories(dir.resolve("latency")))) {
            Path pid = rig.sleeper("victim");
            Agent agent = rig.agent("bench-agent", Map.of(), pid, Duration.ofSeconds(1));
            agent.awaitReady(Duration.ofSeconds(30));
            for (int i = 0; i < n + 20; i++) {
                Instant now = Instant.now();
                ApplyCommand stop = new ApplyCommand("stop-" + i, "bench", Target.agent("bench-agent"),
                        new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(30), Duration.ofMinutes(1));
                Instant sentAt = Instant.now();
                long t0 = System.nanoTime();
                rig.send(stop);
                TelemetryFeed.Received<CommandEvent> ack = rig.feed.awaitCommandEvent(stop.commandId(),
                        Set.of(CommandEvent.Step.APPLIED), Duration.ofSeconds(10));
                long t1 = System.nanoTime();
                TelemetryFeed.Received<CommandEvent> got = rig.feed.awaitCommandEvent(stop.commandId(),
                        Set.of(CommandEvent.Step.RECEIVED), Duration.ofSeconds(10));
                HealCommand h = new HealCommand("heal-" + i, "bench", stop.target(), stop.commandId(), Instant.now(),
                        Instant.now().plusSeconds(30));
                long t2 = System.nanoTime();
                rig.send(h);
                rig.feed.awaitCommandEvent(stop.commandId(), Set.of(CommandEvent.Step.UNDONE), Duration.ofSeconds(10));
                long t3 = System.nanoTime();
                if (i >= 20) {
                    apply.add(t1 - t0);
                    heal.add(t3 - t2);
                    // One clock (same host): where the time goes, by the agent's own timestamps.
                    toAgent.add(Duration.between(sentAt, got.event().at()).toNanos());
                    inAgent.add(Duration.between(got.event().at(), ack.event().at()).toNanos());
                    toOrchestrator.add(Duration.between(ack.event().at(), ack.receivedAt()).toNanos());
                }
            }
            agent.close();
        }
        Stats applied = Stats.ofNanos(apply);
        Stats undone = Stats.ofNanos(heal);
        report.put("latency", "raw-one-way", oneWay);
        report.put("latency", "raw-round-trip", roundTrip);
        report.put("latency", "faultline-apply-ack", applied);
        report.put("latency", "faultline-heal-ack", undone);
        report.md("## Command latency (one broker, loopback)\n");
        report.md(Stats.header());
        report.md(oneWay.row("raw Kafka produce -> consume (one hop)"));
        report.md(roundTrip.row("raw Kafka request -> reply (two hops)"));
        report.md(applied.row("Faultline publish -> applied ack (STOP a sleeper)"));
        report.md(undone.row("Faultline heal -> undone ack (CONT)"));
        report.md("");
        Stats hop1 = Stats.ofNanos(toAgent);
        Stats work = Stats.ofNanos(inAgent);
        Stats hop2 = Stats.ofNanos(toOrchestrator);
        report.put("latency", "breakdown-publish-to-agent-received", hop1);
        report.put("latency", "breakdown-agent-received-to-applied", work);
        report.put("latency", "breakdown-applied-to-orchestrator", hop2);
        report.md("Where an apply's time goes (the agent's `received` and `applied` timestamps, one host clock):\n");
        report.md(Stats.header());
        report.md(hop1.row("sign, publish, Kafka hop, verify, decode -> agent received"));
        report.md(work.row("agent: policy, journal fsync, SIGSTOP -> applied"));
        report.md(hop2.row("applied -> ack read by the orchestrator (telemetry hop)"));
        report.md("");
        report.md("Ratios, Faultline apply -> ack over raw: one hop p50 " + Stats.ratio(applied.p50(), oneWay.p50())
                + ", p99 " + Stats.ratio(applied.p99(), oneWay.p99()) + "; two hops p50 "
                + Stats.ratio(applied.p50(), roundTrip.p50()) + ", p99 " + Stats.ratio(applied.p99(), roundTrip.p99()) + ".\n");
    }

    /** EndToEndLatency's method; with {@code reply}, a responder sends each record back on a second topic. */
    static Stats raw(String bootstrap, int n, boolean reply) throws Exception {
        String req = "bench-raw-req" + (reply ? "-rt" : "");
        String rep = "bench-raw-rep";
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureTopics(admin, Map.of(req, 1, rep, 1));
        }
        List<Long> out = new ArrayList<>();
        Thread responder = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Rig.producerProps(bootstrap));
             KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, reply ? rep : req)) {
            if (reply) {
                responder = new Thread(() -> respond(bootstrap, req, rep), "responder");
                responder.setDaemon(true);
                responder.start();
                Thread.sleep(2000);
            }
            byte[] payload = new byte[100];
            for (int i = 0; i < n + 50; i++) {
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(req, "k", payload)).get(10, TimeUnit.SECONDS);
                boolean got = false;
                while (!got) {
                    got = !consumer.poll(Duration.ofMillis(1000)).isEmpty();
                }
                if (i >= 50) {
                    out.add(System.nanoTime() - t0);
                }
            }
        } finally {
            if (responder != null) {
                responder.interrupt();
            }
        }
        return Stats.ofNanos(out);
    }

    private static void respond(String bootstrap, String req, String rep) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Rig.producerProps(bootstrap));
             KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, req)) {
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(rep, r.key(), r.value()));
                }
            }
        } catch (InterruptException e) {
            // Done.
        }
    }

    static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seekToEnd(List.of(tp));
        c.position(tp);
        return c;
    }

    /** Lease lapse -> undone, and halt -> every agent's fault undone. */
    static void undo(String bootstrap, Path dir, int trials, int haltAgents, Report report) throws Exception {
        List<Long> lateness = new ArrayList<>();
        List<Long> halts = new ArrayList<>();
        try (Rig rig = new Rig(bootstrap, "bench-undo.", Files.createDirectories(dir.resolve("undo")))) {
            Path pid = rig.sleeper("victim");
            Agent agent = rig.agent("lease-agent", Map.of(), pid, Duration.ofSeconds(1));
            agent.awaitReady(Duration.ofSeconds(30));
            Duration lease = Duration.ofSeconds(1);
            for (int i = 0; i < trials; i++) {
                Instant now = Instant.now();
                ApplyCommand stop = new ApplyCommand("lease-" + i, "bench", Target.agent("lease-agent"),
                        new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(30), lease);
                rig.send(stop);
                TelemetryFeed.Received<CommandEvent> applied = rig.feed.awaitCommandEvent(stop.commandId(),
                        Set.of(CommandEvent.Step.APPLIED), Duration.ofSeconds(10));
                long appliedAt = System.nanoTime();
                long due = appliedAt + lease.toNanos();
                while (state(pid) == 'T') {
                    Thread.sleep(1);
                }
                lateness.add(Math.max(0, System.nanoTime() - due));
                if (applied == null) {
                    throw new IllegalStateException("no applied report");
                }
            }
            agent.close();
            List<Path> pids = new ArrayList<>();
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < haltAgents; i++) {
                Path p = rig.sleeper("halt-" + i);
                pids.add(p);
                agents.add(rig.agent("halt-agent-" + i, Map.of("bench", "halt"), p, Duration.ofSeconds(5)));
            }
            for (Agent a : agents) {
                a.awaitReady(Duration.ofSeconds(60));
            }
            for (int round = 0; round < 5; round++) {
                Instant now = Instant.now();
                rig.send(new ApplyCommand("halt-round-" + round, "bench", new Target(null, Map.of("bench", "halt")),
                        new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(30), Duration.ofMinutes(5)));
                for (Path p : pids) {
                    while (state(p) != 'T') {
                        Thread.sleep(1);
                    }
                }
                Thread.sleep(200);
                long t0 = System.nanoTime();
                rig.producer.send(new ProducerRecord<>(rig.topics.halt(), Halt.KEY,
                        Json.encode(new Halt(Instant.now(), "bench", "bench")))).get();
                for (Path p : pids) {
                    while (state(p) == 'T') {
                        Thread.sleep(1);
                    }
                }
                halts.add(System.nanoTime() - t0);
            }
            agents.forEach(Agent::close);
        }
        Stats late = Stats.ofNanos(lateness);
        Stats halt = Stats.ofNanos(halts);
        report.put("undo", "lease-lapse-lateness", late);
        report.put("undo", "halt-all-undone-" + haltAgents + "-agents", halt);
        report.md("## Undo\n");
        report.md(Stats.header());
        report.md(late.row("lease lapse: process running again, after applied-ack + lease (1 s)"));
        report.md(halt.row("halt -> all " + haltAgents + " agents' processes running again"));
        report.md("");
    }

    static char state(Path pidFile) throws IOException {
        String pid = Files.readString(pidFile).strip();
        String s = Files.readString(Path.of("/proc", pid, "stat"));
        return s.charAt(s.lastIndexOf(')') + 2);
    }
}

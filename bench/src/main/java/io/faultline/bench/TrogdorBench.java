package io.faultline.bench;

import io.faultline.agent.Agent;
import io.faultline.agent.AgentConfig;
import io.faultline.agent.policy.PolicyFile;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Against Kafka's own fault injector: Trogdor (coordinator and agent, ProcessStopFault, REST) and
 * Faultline (signed command on Kafka, agent) each stop the same kind of Java sleeper process,
 * found by name. Measured: request sent -> process stopped (state T in /proc), p50 and p99.
 */
final class TrogdorBench {
    private static final String MAIN = BenchSleeper.class.getName();

    private TrogdorBench() {
    }

    static void run(String bootstrap, Path dir, int trials, Report report) throws Exception {
        Path work = Files.createDirectories(dir.resolve("trogdor"));
        Process sleeper = java(work, "sleeper", List.of(MAIN));
        List<Process> trogdor = new ArrayList<>();
        List<Long> trogdorStops = new ArrayList<>();
        List<Long> faultlineStops = new ArrayList<>();
        try {
            int agentPort = freePort();
            int coordinatorPort = freePort();
            Path config = work.resolve("trogdor.json");
            Files.writeString(config, """
                    {"platform": "org.apache.kafka.trogdor.basic.BasicPlatform",
                     "nodes": {"node01": {"hostname": "localhost", "trogdor.agent.port": %d, "trogdor.coordinator.port": %d}}}
                    """.formatted(agentPort, coordinatorPort));
            trogdor.add(java(work, "trogdor-agent", List.of("org.apache.kafka.trogdor.agent.Agent", "--agent.config",
                    config.toString(), "--node-name", "node01")));
            trogdor.add(java(work, "trogdor-coordinator", List.of("org.apache.kafka.trogdor.coordinator.Coordinator",
                    "--coordinator.config", config.toString(), "--node-name", "node01")));
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://localhost:" + coordinatorPort + "/coordinator/");
            awaitUp(http, base.resolve("status"));
            for (int i = 0; i < trials + 3; i++) {
                String id = "stop-" + i;
                String spec = "{\"id\":\"" + id + "\",\"spec\":{\"class\":\"org.apache.kafka.trogdor.fault.ProcessStopFaultSpec\","
                        + "\"startMs\":0,\"durationMs\":600000,\"nodeNames\":[\"node01\"],\"javaProcessName\":\"" + MAIN + "\"}}";
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("task/create"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(spec)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("trogdor task/create answered " + r.statusCode() + ": " + r.body());
                }
                try {
                    awaitState(sleeper.pid(), 'T', Duration.ofSeconds(30));
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "; trogdor says " + http.send(HttpRequest.newBuilder(
                            base.resolve("tasks")).build(), HttpResponse.BodyHandlers.ofString()).body());
                }
                long stopped = System.nanoTime() - t0;
                if (i >= 3) {
                    trogdorStops.add(stopped);
                }
                http.send(HttpRequest.newBuilder(base.resolve("task/stop")).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                awaitNotState(sleeper.pid(), 'T', Duration.ofSeconds(30));
            }
            try (Rig rig = new Rig(bootstrap, "bench-trogdor.", work)) {
                AgentConfig cfg = new AgentConfig("peer-agent", Map.of(), bootstrap, rig.topics, Duration.ofSeconds(1), null,
                        null, work.resolve("state"), PolicyFile.parse("bench", "processes:\n  commandLines: [\"" + MAIN + "\"]\n"),
                        Map.of("bench", rig.keys.getPublic()));
                Agent agent = Agent.builder(cfg).drivers(List.of(rig.processDriver(null))).build();
                Thread t = new Thread(agent::run, "peer-agent");
                t.setDaemon(true);
                t.start();
                agent.awaitReady(Duration.ofSeconds(30));
                for (int i = 0; i < trials + 3; i++) {
                    Instant now = Instant.now();
                    ApplyCommand stop = new ApplyCommand("peer-stop-" + i, "bench", Target.agent("peer-agent"),
                            new ProcessKillFault(Signal.STOP, new ProcessSelector(null, MAIN)), now, now.plusSeconds(30),
                            Duration.ofMinutes(1));
                    long t0 = System.nanoTime();
                    rig.send(stop);
                    awaitState(sleeper.pid(), 'T', Duration.ofSeconds(30));
                    if (i >= 3) {
                        faultlineStops.add(System.nanoTime() - t0);
                    }
                    rig.feed.awaitCommandEvent(stop.commandId(), Set.of(CommandEvent.Step.APPLIED), Duration.ofSeconds(10));
                    rig.send(new HealCommand("peer-heal-" + i, "bench", stop.target(), stop.commandId(), Instant.now(),
                            Instant.now().plusSeconds(30)));
                    awaitNotState(sleeper.pid(), 'T', Duration.ofSeconds(30));
                }
                agent.close();
            }
        } finally {
            trogdor.forEach(Process::destroyForcibly);
            sleeper.destroyForcibly();
        }
        Stats tg = Stats.ofNanos(trogdorStops);
        Stats fl = Stats.ofNanos(faultlineStops);
        report.put("trogdor", "trogdor-request-to-stopped", tg);
        report.put("trogdor", "faultline-request-to-stopped", fl);
        report.md("## Against Trogdor: request -> Java process stopped\n");
        report.md(Stats.header());
        report.md(tg.row("Trogdor ProcessStopFault (REST to coordinator)"));
        report.md(fl.row("Faultline process.kill STOP (signed command on Kafka)"));
        report.md("");
        report.md("Faultline over Trogdor: p50 " + Stats.ratio(fl.p50(), tg.p50()) + ", p99 " + Stats.ratio(fl.p99(), tg.p99())
                + " (below 1 is faster).\n");
    }

    private static Process java(Path dir, String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return p;
    }

    private static void awaitUp(HttpClient http, URI status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    Thread.sleep(1000);
                    return;
                }
            } catch (IOException e) {
                // Not yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("trogdor coordinator did not start; see its log");
    }

    static void awaitState(long pid, char state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state(pid) != state) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pid " + pid + " not in state " + state);
            }
            Thread.onSpinWait();
        }
    }

    static void awaitNotState(long pid, char state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state(pid) == state) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pid " + pid + " still in state " + state);
            }
            Thread.sleep(1);
        }
    }

    static char state(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return s.charAt(s.lastIndexOf(')') + 2);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

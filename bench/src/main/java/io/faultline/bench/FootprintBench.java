package io.faultline.bench;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Agent footprint: a real {@code faultline agent} process with different JVMs and flags: start-up
 * to first heartbeat (at the orchestrator), resident memory idle and during a fault, and idle
 * Kafka traffic (from the agent's own client metrics, over 30 s).
 */
final class FootprintBench {
    private static final String TUNED = "-XX:+UseSerialGC -Xmx40m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 "
            + "-XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=16m -XX:MaxDirectMemorySize=8m";

    private FootprintBench() {
    }

    /**
     * @param agentClassPath true: the agent's own class path and {@code AgentMain}, as {@code ./faultline agent}
     *                       and the image start it; false: the command line's full class path (broker, Scala,
     *                       orchestrator and all), as the agent was started before it had one
     */
    record Variant(String name, String java, List<String> flags, List<String> trainingFlags, boolean agentClassPath) {
        Variant(String name, String java, List<String> flags, List<String> trainingFlags) {
            this(name, java, flags, trainingFlags, false);
        }
    }

    /** The agent's class path as the launcher builds it, from the build's output; null when not built. */
    static String agentClassPath() {
        Path root = Path.of(System.getProperty("faultline.root", ".")).toAbsolutePath();
        List<Path> parts = List.of(root.resolve("cli/target/faultline.jar"), root.resolve("agents/target/faultline-agents.jar"),
                root.resolve("agents/target/lib"), root.resolve("cli/target/agent-lib"));
        if (!parts.stream().allMatch(Files::exists)) {
            return null;
        }
        return parts.get(0) + ":" + parts.get(1) + ":" + parts.get(2) + "/*:" + parts.get(3) + "/*";
    }

    static void run(String bootstrap, Path dir, Report report) throws Exception {
        Path work = Files.createDirectories(dir.resolve("footprint"));
        String jdk17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jdk25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
        Path cds = work.resolve("agent-17.jsa");
        Path aot = work.resolve("agent-25.aot");
        List<String> tuned = List.of(TUNED.split(" "));
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("JDK 17, no flags", jdk17, List.of(), null));
        variants.add(new Variant("JDK 17, tuned", jdk17, tuned, null));
        variants.add(new Variant("JDK 17, tuned + AppCDS", jdk17, concat(tuned, "-XX:SharedArchiveFile=" + cds),
                concat(tuned, "-XX:ArchiveClassesAtExit=" + cds)));
        if (agentClassPath() != null) {
            Path agentCds = work.resolve("agent-17-own-cp.jsa");
            variants.add(new Variant("JDK 17, no flags, agent class path", jdk17, List.of(), null, true));
            variants.add(new Variant("JDK 17, tuned, agent class path", jdk17, tuned, null, true));
            variants.add(new Variant("JDK 17, tuned + AppCDS, agent class path", jdk17,
                    concat(tuned, "-XX:SharedArchiveFile=" + agentCds), concat(tuned, "-XX:ArchiveClassesAtExit=" + agentCds),
                    true));
        }
        if (Files.isExecutable(Path.of(jdk25))) {
            variants.add(new Variant("Temurin 25, tuned + AOT cache", jdk25, concat(tuned, "-XX:AOTCache=" + aot),
                    concat(tuned, "-XX:AOTCacheOutput=" + aot)));
        }
        report.md("## Agent footprint\n");
        report.md("Tuned flags: `" + TUNED + "`.\n");
        report.md("| JVM and flags | start -> first heartbeat ms | RSS idle MB | RSS during a fault MB | idle Kafka traffic B/s "
                + "(heartbeat 1 s) | idle B/s (heartbeat 10 s) |\n|---|---|---|---|---|---|");
        try (Rig rig = new Rig(bootstrap, "bench-footprint.", work)) {
            Path keys = Files.createDirectories(work.resolve("keys"));
            Files.writeString(keys.resolve("bench.pub"), pem(rig.keys.getPublic().getEncoded()));
            Path pid = rig.sleeper("victim");
            for (Variant v : variants) {
                if (v.trainingFlags() != null) {
                    Process train = agent(v, v.trainingFlags(), "train", bootstrap, rig, keys, pid, work, 1000);
                    rig.feed.awaitAgents(h -> h.agentId().equals("train"), Duration.ofSeconds(5), Duration.ofSeconds(60));
                    Thread.sleep(3000);
                    train.destroy();
                    train.waitFor();
                }
                List<Long> starts = new ArrayList<>();
                long rssIdle = 0;
                long rssFault = 0;
                double bytes1 = 0;
                for (int run = 0; run < 3; run++) {
                    String id = "fp-" + variants.indexOf(v) + "-" + run;
                    long t0 = System.nanoTime();
                    Process p = agent(v, v.flags(), id, bootstrap, rig, keys, pid, work, 1000);
                    rig.feed.awaitAgents(h -> h.agentId().equals(id), Duration.ofSeconds(5), Duration.ofSeconds(60));
                    starts.add(System.nanoTime() - t0);
                    if (run == 0) {
                        Thread.sleep(10_000);
                        rssIdle = rss(p.pid());
                        bytes1 = idleBytesPerSecond(port(work, id));
                        Instant now = Instant.now();
                        ApplyCommand stop = new ApplyCommand("fp-stop-" + id, "bench", Target.agent(id),
                                new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(30), Duration.ofSeconds(5));
                        rig.send(stop);
                        rig.feed.awaitCommandEvent(stop.commandId(), Set.of(CommandEvent.Step.APPLIED), Duration.ofSeconds(10));
                        rssFault = rss(p.pid());
                        rig.feed.awaitCommandEvent(stop.commandId(), Set.of(CommandEvent.Step.UNDONE), Duration.ofSeconds(10));
                    }
                    p.destroy();
                    p.waitFor();
                }
                String slowId = "fp-slow-" + variants.indexOf(v);
                Process slow = agent(v, v.flags(), slowId, bootstrap, rig, keys, pid, work, 10_000);
                rig.feed.awaitAgents(h -> h.agentId().equals(slowId), Duration.ofSeconds(15), Duration.ofSeconds(60));
                Thread.sleep(5_000);
                double bytes10 = idleBytesPerSecond(port(work, slowId));
                slow.destroy();
                slow.waitFor();
                Stats start = Stats.ofNanos(starts);
                report.put("footprint", v.name(), Map.of("startToHeartbeatMs", start.p50(), "rssIdleMb", rssIdle / 1024.0,
                        "rssFaultMb", rssFault / 1024.0, "idleBytesPerSecond", bytes1, "idleBytesPerSecondHeartbeat10s", bytes10));
                report.md(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.0f | %.0f |", v.name(), start.p50(),
                        rssIdle / 1024.0, rssFault / 1024.0, bytes1, bytes10));
            }
        }
        report.md("");
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }

    private static Process agent(Variant v, List<String> flags, String id, String bootstrap, Rig rig, Path keys, Path pid,
                                 Path work, int heartbeatMs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(v.java()));
        cmd.addAll(flags);
        if (v.agentClassPath()) {
            cmd.addAll(List.of("-cp", agentClassPath(), "io.faultline.cli.AgentMain"));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.faultline.cli.Faultline", "agent"));
        }
        cmd.addAll(List.of("--id", id,
                "--bootstrap-servers", bootstrap, "--topic-prefix", rig.topics.prefix(), "--public-key",
                keys.resolve("bench.pub").toString(), "--state-dir", work.resolve("state-" + id).toString(),
                "--service-pid-file", pid.toString(), "--heartbeat-interval-ms", Integer.toString(heartbeatMs),
                "--metrics-port", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(id + ".log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return p;
    }

    /** The metrics port the agent printed to its log. */
    private static int port(Path work, String id) throws Exception {
        Pattern pat = Pattern.compile("metrics on port (\\d+)");
        for (int i = 0; i < 100; i++) {
            Matcher m = pat.matcher(Files.readString(work.resolve(id + ".log")));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("agent " + id + " printed no metrics port");
    }

    private static double idleBytesPerSecond(int port) throws Exception {
        double a = kafkaBytes(port);
        long t0 = System.nanoTime();
        Thread.sleep(30_000);
        double b = kafkaBytes(port);
        return (b - a) / ((System.nanoTime() - t0) / 1e9);
    }

    private static double kafkaBytes(int port) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^faultline_agent_kafka_bytes\\{direction=\"(in|out)\"} ([0-9.eE+]+)").matcher(text);
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

}

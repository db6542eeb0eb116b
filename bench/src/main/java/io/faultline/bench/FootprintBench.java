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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Agent footprint: a real agent process, started as {@code ./faultline agent} starts it (the agent's
 * own class path, the launcher's flags read from the launcher itself) and with other JVMs and
 * flags beside it: start-up to first heartbeat (at the orchestrator), resident memory idle and
 * during a fault, idle Kafka traffic (from the agent's own client metrics, over 30 s). For the
 * launcher's command line it also accounts for the process: every thread with its CPU while idle,
 * and the JVM's memory by kind (native memory tracking, in a start of its own).
 */
final class FootprintBench {
    /** Thread names (or their starts) and what each is. */
    private static final Map<String, String> THREADS = new LinkedHashMap<>();

    static {
        THREADS.put("main", "the command consumer's poll loop: commands and halt topics (KafkaConsumer, assigned, no group)");
        THREADS.put("agent-identity", "the identity guard's KafkaConsumer: a group of one that holds the agent's id");
        THREADS.put("kafka-coordinator-heartbeat-thread", "the identity guard's group heartbeat (Kafka's)");
        THREADS.put("kafka-producer-network-thread", "the telemetry KafkaProducer's sender (Kafka's)");
        THREADS.put("agent-telemetry", "the telemetry outbox: encodes, signs, hands to the producer");
        THREADS.put("agent-state", "the state thread: leases, heartbeats, every fault's bookkeeping");
        THREADS.put("agent-driver-", "a driver call (one per call in flight, ended when idle)");
        THREADS.put("agent-halt-lookup", "looks for a halt topic created after start");
        THREADS.put("prometheus-http", "the /metrics server (Prometheus' HTTPServer)");
        THREADS.put("HTTP-Dispatcher", "the JDK HTTP server under /metrics");
        THREADS.put("idle-timeout-task", "the JDK HTTP server's idle-connection timer");
        THREADS.put("req-rsp-timeout-task", "the JDK HTTP server's request timer");
        THREADS.put("process reaper", "the JDK's waiter for child processes (tc, iptables, a service)");
        THREADS.put("JNA Cleaner", "JNA's reference cleaner (kill(2))");
        THREADS.put("C1 CompilerThread", "the JIT (C1 only with the launcher's flags)");
        THREADS.put("C2 CompilerThread", "the JIT's optimising compiler");
        THREADS.put("VM Thread", "the JVM: safepoints and garbage collection (serial)");
    }

    private FootprintBench() {
    }

    /** {@code launcher}: the row the process accounting is taken for. */
    record Variant(String name, String java, List<String> flags, List<String> trainingFlags, boolean launcher) {
    }

    /** The agent's class path as the launcher builds it, from the build's output; null when not built. */
    static String agentClassPath() {
        Path root = root();
        List<Path> parts = List.of(root.resolve("cli/target/faultline.jar"), root.resolve("agents/target/faultline-agents.jar"),
                root.resolve("agents/target/lib"), root.resolve("cli/target/agent-lib"));
        if (!parts.stream().allMatch(Files::exists)) {
            return null;
        }
        return parts.get(0) + ":" + parts.get(1) + ":" + parts.get(2) + "/*:" + parts.get(3) + "/*";
    }

    private static Path root() {
        return Path.of(System.getProperty("faultline.root", ".")).toAbsolutePath();
    }

    /** The JVM flags {@code ./faultline agent} starts an agent with, read from the launcher. */
    static List<String> launcherFlags() throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*defaults=\"(-XX:[^\"]+)\"").matcher(Files.readString(root().resolve("faultline")));
        if (!m.find()) {
            throw new IllegalStateException("no agent defaults= line in the launcher");
        }
        return List.of(m.group(1).split(" "));
    }

    static void run(String bootstrap, Path dir, Report report) throws Exception {
        if (agentClassPath() == null) {
            throw new IllegalStateException("the agent's class path is not built: mvn install first");
        }
        Path work = Files.createDirectories(dir.resolve("footprint"));
        String jdk17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jdk25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
        Path cds = work.resolve("agent-17.jsa");
        Path aot = work.resolve("agent-25.aot");
        List<String> tuned = launcherFlags();
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("JDK 17, no flags", jdk17, List.of(), null, false));
        variants.add(new Variant("JDK 17, the launcher's flags", jdk17, tuned, null, true));
        variants.add(new Variant("JDK 17, the launcher's flags + AppCDS", jdk17, concat(tuned, "-XX:SharedArchiveFile=" + cds),
                concat(tuned, "-XX:ArchiveClassesAtExit=" + cds), false));
        if (Files.isExecutable(Path.of(jdk25))) {
            variants.add(new Variant("Temurin 25, the launcher's flags + AOT cache", jdk25, concat(tuned, "-XX:AOTCache=" + aot),
                    concat(tuned, "-XX:AOTCacheOutput=" + aot), false));
            List<String> compact = concat(tuned, "-XX:+UseCompactObjectHeaders");
            variants.add(new Variant("Temurin 25, the launcher's flags + AOT cache + compact object headers", jdk25,
                    concat(compact, "-XX:AOTCache=" + aot), concat(compact, "-XX:AOTCacheOutput=" + aot), false));
        }
        report.md("## Agent footprint\n");
        report.md("The launcher's flags: `" + String.join(" ", tuned) + "`.\n");
        report.md("| JVM and flags | start -> first heartbeat ms | RSS idle MB (anonymous + file) | RSS during a fault MB "
                + "| idle Kafka traffic B/s (heartbeat 1 s) | idle B/s (heartbeat 10 s) |\n|---|---|---|---|---|---|");
        List<String> accounting = new ArrayList<>();
        try (Rig rig = new Rig(bootstrap, "bench-footprint.", work)) {
            Path keys = Files.createDirectories(work.resolve("keys"));
            Files.writeString(keys.resolve("bench.pub"), pem("PUBLIC KEY", rig.keys.getPublic().getEncoded()));
            // The agents sign their telemetry with the key the rig's feed trusts, or it would refuse their heartbeats.
            Files.writeString(keys.resolve("bench-agents.key"), pem("PRIVATE KEY", rig.agentKeys.getPrivate().getEncoded()));
            Path pid = rig.sleeper("victim");
            for (Variant v : variants) {
                if (v.trainingFlags() != null) {
                    Process train = agent(v.java(), v.trainingFlags(), "train", bootstrap, rig, keys, pid, work, 1000);
                    heartbeat(rig, "train");
                    Thread.sleep(3000);
                    train.destroy();
                    train.waitFor();
                }
                List<Long> starts = new ArrayList<>();
                long[] rssIdle = {0, 0};
                long rssFault = 0;
                double bytes1 = 0;
                for (int run = 0; run < 3; run++) {
                    String id = "fp-" + variants.indexOf(v) + "-" + run;
                    long t0 = System.nanoTime();
                    Process p = agent(v.java(), v.flags(), id, bootstrap, rig, keys, pid, work, 1000);
                    heartbeat(rig, id);
                    starts.add(System.nanoTime() - t0);
                    if (run == 0) {
                        Thread.sleep(10_000);
                        rssIdle = rss(p.pid());
                        Map<String, Double> before = threadCpu(v.java(), p.pid());
                        long w0 = System.nanoTime();
                        bytes1 = idleBytesPerSecond(port(work, id));
                        if (v.launcher()) {
                            accounting.addAll(threads(before, threadCpu(v.java(), p.pid()), (System.nanoTime() - w0) / 1e9));
                        }
                        Instant now = Instant.now();
                        ApplyCommand stop = new ApplyCommand("fp-stop-" + id, "bench", Target.agent(id),
                                new ProcessKillFault(Signal.STOP, null), now, now.plusSeconds(30), Duration.ofSeconds(5));
                        rig.send(stop);
                        step(rig, stop.commandId(), CommandEvent.Step.APPLIED);
                        long[] during = rss(p.pid());
                        rssFault = during[0] + during[1];
                        step(rig, stop.commandId(), CommandEvent.Step.UNDONE);
                    }
                    p.destroy();
                    p.waitFor();
                }
                String slowId = "fp-slow-" + variants.indexOf(v);
                Process slow = agent(v.java(), v.flags(), slowId, bootstrap, rig, keys, pid, work, 10_000);
                heartbeat(rig, slowId);
                Thread.sleep(5_000);
                double bytes10 = idleBytesPerSecond(port(work, slowId));
                slow.destroy();
                slow.waitFor();
                Stats start = Stats.ofNanos(starts);
                double idle = (rssIdle[0] + rssIdle[1]) / 1024.0;
                report.put("footprint", v.name(), Map.of("startToHeartbeatMs", start.p50(), "rssIdleMb", idle,
                        "rssIdleAnonMb", rssIdle[0] / 1024.0, "rssFaultMb", rssFault / 1024.0, "idleBytesPerSecond", bytes1,
                        "idleBytesPerSecondHeartbeat10s", bytes10));
                report.md(String.format(Locale.ROOT, "| %s | %.0f | %.1f (%.1f + %.1f) | %.1f | %.0f | %.0f |", v.name(), start.p50(),
                        idle, rssIdle[0] / 1024.0, rssIdle[1] / 1024.0, rssFault / 1024.0, bytes1, bytes10));
            }
            report.md("");
            report.md("Every thread of an idle agent started with the launcher's flags, and its CPU over the 30 s idle window:\n");
            report.md("| thread | what it is | CPU ms/s idle |\n|---|---|---|");
            accounting.forEach(report::md);
            report.md("");
            Process nmt = agent(jdk17, concat(tuned, "-XX:NativeMemoryTracking=summary"), "fp-nmt", bootstrap, rig, keys, pid, work,
                    1000);
            heartbeat(rig, "fp-nmt");
            Thread.sleep(10_000);
            report.md("The same agent's memory by kind, idle (native memory tracking, a start of its own; the tracking's "
                    + "own cost left out; RSS counts what is touched, tracking what is committed):\n");
            report.md("| kind | committed MB |\n|---|---|");
            nativeMemory(jdk17, nmt.pid()).forEach((k, mb) -> report.md(String.format(Locale.ROOT, "| %s | %.1f |", k, mb)));
            report.md("");
            nmt.destroy();
            nmt.waitFor();
        }
        report.md("");
    }

    /** Waits for the agent's first heartbeat at the feed; a benchmark that cannot see it must not report a figure. */
    private static void heartbeat(Rig rig, String id) throws InterruptedException {
        if (rig.feed.awaitAgents(h -> h.agentId().equals(id), Duration.ofSeconds(15), Duration.ofSeconds(60)).isEmpty()) {
            throw new IllegalStateException("no heartbeat from agent " + id + " within 60 s");
        }
    }

    private static void step(Rig rig, String commandId, CommandEvent.Step step) throws InterruptedException {
        if (rig.feed.awaitCommandEvent(commandId, Set.of(step), Duration.ofSeconds(10)) == null) {
            throw new IllegalStateException("no " + step + " for " + commandId + " within 10 s");
        }
    }

    /** CPU milliseconds so far of each thread (name and id), from {@code jcmd Thread.print}. */
    private static Map<String, Double> threadCpu(String java, long pid) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\"(.+?)\" .*?cpu=([0-9.]+)ms.*?nid=(0x[0-9a-f]+)").matcher(jcmd(java, pid, "Thread.print"));
        while (m.find()) {
            out.put(m.group(1) + " " + m.group(3), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static List<String> threads(Map<String, Double> before, Map<String, Double> after, double seconds) {
        List<String> rows = new ArrayList<>();
        after.forEach((key, ms) -> {
            String name = key.substring(0, key.lastIndexOf(' '));
            if (name.equals("Attach Listener")) {
                return;
            }
            String what = THREADS.entrySet().stream().filter(e -> name.startsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElse("the JVM's own");
            rows.add(String.format(Locale.ROOT, "| %s | %s | %.2f |", name.replace("|", "\\|"), what, (ms - before.getOrDefault(key, 0.0)) / seconds));
        });
        return rows;
    }

    /** Committed MB by kind from {@code jcmd VM.native_memory summary}, largest first. */
    private static Map<String, Double> nativeMemory(String java, long pid) throws Exception {
        Map<String, Double> kinds = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)")
                .matcher(jcmd(java, pid, "VM.native_memory", "summary"));
        while (m.find()) {
            if (!m.group(1).equals("Native Memory Tracking")) {
                kinds.put(m.group(1), Long.parseLong(m.group(2)) / 1024.0);
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        kinds.entrySet().stream().filter(e -> e.getValue() >= 0.1).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static String jcmd(String java, long pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(java).resolveSibling("jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static Process agent(String java, List<String> flags, String id, String bootstrap, Rig rig, Path keys, Path pid,
                                 Path work, int heartbeatMs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", agentClassPath(), "io.faultline.cli.AgentMain"));
        cmd.addAll(List.of("--id", id,
                "--bootstrap-servers", bootstrap, "--topic-prefix", rig.topics.prefix(), "--public-key",
                keys.resolve("bench.pub").toString(), "--telemetry-key", keys.resolve("bench-agents.key").toString(), "--state-dir", work.resolve("state-" + id).toString(),
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

    /** Resident KB, anonymous and file-backed. */
    private static long[] rss(long pid) throws IOException {
        long[] out = {-1, -1};
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("RssAnon:")) {
                out[0] = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("RssFile:")) {
                out[1] = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return out;
    }

}

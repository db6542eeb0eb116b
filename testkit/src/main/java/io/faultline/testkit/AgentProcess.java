package io.faultline.testkit;

import io.faultline.demo.ChildJvm;
import io.faultline.protocol.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An agent as a separate process, started the way {@code faultline agent} starts it, for
 * integration tests: one place that knows the agent's command line. Defaults: the test key, a
 * 300 ms heartbeat, exit with the parent, state and log under {@code dir}.
 *
 * <pre>{@code
 * Process agent = AgentProcess.of("agent-1", bootstrap, dir).topics(topics)
 *         .option("--service-pid-file", pid.toString()).start();
 * }</pre>
 */
public final class AgentProcess {
    /** The agent's entry point: the command line's root, so that its option parsing is what is tested. */
    public static final String MAIN = "io.faultline.cli.Faultline";

    private final String id;
    private final String bootstrap;
    private final Path dir;
    private Topics topics = Topics.defaults();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> options = new ArrayList<>();
    private List<String> jvmOptions = List.of("-Xmx96m");
    private String heartbeatMs = "300";
    private boolean exitWithParent = true;
    private List<String> exec = List.of();
    private Path stateDir;

    private AgentProcess(String id, String bootstrap, Path dir) {
        this.id = id;
        this.bootstrap = bootstrap;
        this.dir = dir;
    }

    /** Agent {@code id} on {@code bootstrap}; its state is {@code dir/state-<id>}, its log {@code dir/<id>.log}. */
    public static AgentProcess of(String id, String bootstrap, Path dir) {
        return new AgentProcess(id, bootstrap, dir);
    }

    public AgentProcess topics(Topics t) {
        this.topics = t;
        return this;
    }

    public AgentProcess label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    public AgentProcess heartbeatMs(int ms) {
        this.heartbeatMs = Integer.toString(ms);
        return this;
    }

    /** Any other option of {@code faultline agent}, with its values. */
    public AgentProcess option(String name, String... values) {
        options.add(name);
        options.addAll(List.of(values));
        return this;
    }

    /** Has the agent start and supervise {@code command} ({@code --exec -- command}). */
    public AgentProcess exec(String... command) {
        this.exec = List.of(command);
        return this;
    }

    /** Arguments appended as they are, for options given as one list. */
    public AgentProcess args(String... args) {
        options.addAll(List.of(args));
        return this;
    }

    public AgentProcess jvmOptions(String... opts) {
        this.jvmOptions = List.of(opts);
        return this;
    }

    /** Keeps the agent running when the test JVM exits (for tests that kill the parent on purpose). */
    public AgentProcess outliveParent() {
        this.exitWithParent = false;
        return this;
    }

    public Path stateDir() {
        return stateDir != null ? stateDir : dir.resolve("state-" + id);
    }

    /** Keeps the undo journal in {@code state} instead of {@code dir/state-<id>}, e.g. for agents that succeed each other. */
    public AgentProcess stateDir(Path state) {
        this.stateDir = state;
        return this;
    }

    public Path log() {
        return dir.resolve(id + ".log");
    }

    /** The arguments after the main class. */
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("agent", "--id", id, "--bootstrap-servers", bootstrap,
                "--heartbeat-interval-ms", heartbeatMs, "--public-key", TestKeys.publicKeyFile().toString(),
                "--state-dir", stateDir().toString()));
        if (!topics.prefix().equals(Topics.defaults().prefix())) {
            a.addAll(List.of("--topic-prefix", topics.prefix()));
        }
        labels.forEach((k, v) -> a.addAll(List.of("--label", k + "=" + v)));
        a.addAll(options);
        if (exitWithParent) {
            a.add("--exit-with-parent");
        }
        if (!exec.isEmpty()) {
            a.add("--exec");
            a.add("--");
            a.addAll(exec);
        }
        return a;
    }

    /** Starts the agent in a child JVM on the test's class path. */
    public Process start() throws IOException {
        return ChildJvm.start(MAIN, jvmOptions, args(), log());
    }

    /** Starts the agent inside network namespace host {@code host} of {@code lab}. */
    public Process startIn(NetLab lab, String host) throws IOException {
        return lab.spawnJvm(host, id, MAIN, args());
    }

    /** Starts the agent inside network namespace host {@code host} of {@code lab}, with {@code env} added. */
    public Process startIn(NetLab lab, String host, Map<String, String> env) throws IOException {
        return lab.spawnJvm(host, id, MAIN, args(), env);
    }
}

package io.faultline.it;

import io.faultline.cli.ExitCodes;
import io.faultline.cli.Faultline;
import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.engine.RunAudit;
import io.faultline.engine.TelemetryFeed;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.Procs;
import io.faultline.testkit.TestKafka;
import io.faultline.verifier.History;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/**
 * Runs that end early leave nothing behind: the orchestrator SIGKILLed mid-fault, a halt during a
 * run, a stop condition that trips; and a plan that changes nothing. One real order listener
 * with its agent; the fault freezes the listener (SIGSTOP), so its state in /proc shows whether
 * the fault is really gone.
 */
class RunSafetyIT {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final String GROUP = "safety-listeners";
    private static DemoCluster cluster;
    private static String bootstrap;
    private static Path work;
    private static Path listenerPid;

    @BeforeAll
    static void start() throws Exception {
        bootstrap = TestKafka.bootstrapServers();
        work = Files.createTempDirectory("faultline-run-safety-");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            KafkaClients.ensureFaultlineTopics(admin, Topics.defaults());
            KafkaClients.ensureTopics(admin, Map.of("safety-in", 1, "safety-out", 1));
            cluster = DemoCluster.start(bootstrap, 1,
                    DemoCluster.ListenerSettings.demo("exactly-once", GROUP, "safety-in", "safety-out"), work, "safety-");
            cluster.awaitGroup(admin, GROUP, 1, Duration.ofSeconds(90));
        }
        listenerPid = work.resolve("safety-listener-1.pid");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Freezes the listener for a minute (lease 3s), with optional extra YAML (stop conditions). */
    private static Path scenario(String name, String lease, String extra) throws Exception {
        String yaml = """
                name: %s
                targets:
                  listener:
                    labels: {client-id: safety-listener-1}
                workload:
                  canary: {inputTopic: safety-in, outputTopic: safety-out, rate: 20, partitions: 1, preflightTimeout: 60s}
                steps:
                  - wait: 1s
                  - name: freeze
                    inject:
                      target: listener
                      fault: {type: process.kill, signal: STOP}
                      lease: %s
                  - wait: 60s
                  - heal: freeze
                drain: 5s
                %s
                """.formatted(name, lease, extra);
        Path file = work.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Path signingKey() {
        return work.resolve("keys").resolve("demo.key");
    }

    @Test
    void anOrchestratorKilledMidFaultLeavesNothingBeyondTheLeasePlusOneSecond() throws Exception {
        Path file = scenario("orchestrator-killed", "3s", "");
        try (TelemetryFeed feed = new TelemetryFeed(bootstrap, Topics.defaults().telemetry(), Clock.systemUTC(),
                Duration.ofSeconds(1))) {
            Process orchestrator = ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx256m"), List.of("run",
                    file.toString(), "-b", bootstrap, "--signing-key", signingKey().toString(),
                    "--report-dir", work.resolve("reports").toString()), work.resolve("orchestrator-killed.log"));
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> Procs.state(listenerPid) == 'T' || !orchestrator.isAlive());
                assertThat(orchestrator.isAlive()).as("the run got to the fault; see " + work).isTrue();
                // Renewals keep the fault well past its lease while the orchestrator lives.
                await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(4))
                        .until(() -> Procs.state(listenerPid) == 'T');

                orchestrator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                long killed = System.nanoTime();
                long resumed = SafetyIT.awaitResumed(listenerPid, Duration.ofSeconds(15));
                Duration after = Duration.ofNanos(resumed - killed);
                System.out.println("orchestrator SIGKILLed: listener resumed after " + after.toMillis() + " ms (lease "
                        + LEASE.toMillis() + " ms)");
                assertThat(after).isLessThanOrEqualTo(LEASE.plusSeconds(1));
                TelemetryFeed.Received<CommandEvent> undone = feed.awaitCommandEvent(e -> e.step() == CommandEvent.Step.UNDONE
                        && "safety-agent-1".equals(e.agentId()) && e.detail().startsWith("lease expired"), Duration.ofSeconds(10));
                assertThat(undone).isNotNull();
            } finally {
                orchestrator.destroyForcibly();
            }
        }
    }

    /**
     * {@code plan} refuses exactly what {@code run} refuses before its first fault, in the same
     * words: each case goes through both commands, and neither touches the listener.
     */
    @Test
    void planRefusesWhatRunRefusesWithTheSameSentence() throws Exception {
        Path rogue = Files.createDirectories(work.resolve("rogue-plan-keys"));
        KeyFiles.generate(rogue, "rogue");
        Path trusted = signingKey();
        record Case(String name, Path key, String from, String to, String sentence) {
        }
        List<Case> cases = List.of(
                new Case("restart-without-exec", trusted, "signal: STOP", "signal: KILL, restart: true",
                        "safety-agent-1 lacks service-restart (start the agent with the service's command line: "
                                + "faultline agent --exec -- CMD)"),
                new Case("untrusted-key", rogue.resolve("rogue.key"), "", "",
                        "unknown-key: key id 'rogue' is not trusted here (trusted: demo)"),
                new Case("no-agent-for-target", trusted, "client-id: safety-listener-1", "client-id: nobody",
                        "no live agent matches target 'listener' (labels {client-id=nobody})"),
                new Case("lease-beyond-policy", trusted, "lease: 15s", "lease: 1h",
                        "policy: lease 1h exceeds maxLease 15m"));
        for (Case c : cases) {
            Path file = scenario("refused-" + c.name(), "15s", "");
            Files.writeString(file, Files.readString(file).replace(c.from(), c.to()));
            for (String command : List.of("plan", "run")) {
                StringWriter out = new StringWriter();
                CommandLine cli = Faultline.commandLine();
                cli.setOut(new PrintWriter(out, true));
                List<String> args = new ArrayList<>(List.of(command, file.toString(), "-b", bootstrap,
                        "--signing-key", c.key().toString(), "--agent-wait", "3s"));
                if (command.equals("run")) {
                    args.addAll(List.of("--report-dir", work.resolve("refused-reports").toString()));
                }
                int code = cli.execute(args.toArray(String[]::new));
                System.out.println(c.name() + " / " + command + ":\n" + out);
                assertThat(code).as("%s: %s exits 3", c.name(), command).isEqualTo(ExitCodes.INFRASTRUCTURE);
                assertThat(out.toString()).as("%s: %s", c.name(), command).contains(c.sentence())
                        .doesNotContain("Exception", "\tat ");
                assertThat(Procs.state(listenerPid)).as("%s: %s froze nothing", c.name(), command).isNotEqualTo('T');
            }
        }
    }

    @Test
    void agentsListsTheFleetFromItsHeartbeats() throws Exception {
        // The agent may not have sent its first heartbeat yet when the group is ready: wait for it.
        StringWriter[] last = {new StringWriter()};
        await("the agent listed").atMost(Duration.ofSeconds(60)).until(() -> {
            StringWriter out = new StringWriter();
            CommandLine cli = Faultline.commandLine();
            cli.setOut(new PrintWriter(out, true));
            assertThat(cli.execute("agents", "-b", bootstrap)).isZero();
            last[0] = out;
            return out.toString().contains("safety-agent-1");
        });
        StringWriter out = last[0];
        System.out.println(out);
        assertThat(out.toString()).contains("agent", "state", "labels")
                .containsPattern("safety-agent-1 +\\S+ +live +0 +\\{.*client-id=safety-listener-1")
                .contains("Heartbeats not checked");

        // A writer of the telemetry topic makes up an agent; with the agents' keys it is not listed.
        AgentHeartbeat made = new AgentHeartbeat(null, "safety-agent-9", Instant.now(), Map.of("role", "listener"),
                "nowhere", 1L, Instant.now(), List.of("process.kill"), List.of(), Map.of(), List.of());
        try (KafkaProducer<String, byte[]> p = KafkaClients.producer(KafkaConnection.of(bootstrap), "forger")) {
            p.send(new ProducerRecord<>(Topics.defaults().telemetry(), made.recordKey(), Json.encode(made)))
                    .get(15, TimeUnit.SECONDS);
        }
        StringWriter checked = new StringWriter();
        CommandLine cli = Faultline.commandLine();
        cli.setOut(new PrintWriter(checked, true));
        assertThat(cli.execute("agents", "-b", bootstrap, "--agent-keys", cluster.agentKeys().toString())).isZero();
        System.out.println(checked);
        assertThat(checked.toString()).contains("safety-agent-1", "signed by key safety-agent-1")
                .doesNotContain("safety-agent-9  ")
                .contains("heartbeat(s) not believed, not listed; the latest: unsigned: agent safety-agent-9");
    }

    @Test
    void aCommandTheAgentRejectsEndsTheRunAtOnceWithTheAgentsReason() throws Exception {
        Path file = scenario("untrusted-key", "15s", "");
        Path rogue = Files.createDirectories(work.resolve("rogue-keys"));
        KeyFiles.generate(rogue, "rogue");
        StringWriter out = new StringWriter();
        CommandLine cli = Faultline.commandLine();
        cli.setOut(new PrintWriter(out, true));
        long started = System.nanoTime();
        int code = cli.execute("run", file.toString(), "-b", bootstrap, "--signing-key",
                rogue.resolve("rogue.key").toString(), "--report-dir", work.resolve("rogue-reports").toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println(out);
        assertThat(code).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(out.toString()).contains("unknown-key: key id 'rogue' is not trusted here (trusted: demo)")
                .doesNotContain("did not report");
        assertThat(Procs.state(listenerPid)).as("nothing was applied").isNotEqualTo('T');
        System.out.println("rejected command: the run ended after " + took.toMillis() + " ms");
    }

    @Test
    void ctrlCHealsAtOnceAndTheVerdictIsAborted() throws Exception {
        // A lease far longer than the test: only the run's own heal can let the listener go on.
        Path file = scenario("interrupted-run", "60s", "");
        Path reports = work.resolve("interrupted-reports");
        Process orchestrator = ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx256m"), List.of("run",
                file.toString(), "-b", bootstrap, "--signing-key", signingKey().toString(),
                "--agent-keys", cluster.agentKeys().toString(),
                "--report-dir", reports.toString()), work.resolve("interrupted-run.log"));
        try {
            // The run believes only what the agents signed: its own applied report got it this far.
            await().atMost(Duration.ofSeconds(90)).until(() -> Procs.state(listenerPid) == 'T' || !orchestrator.isAlive());
            assertThat(orchestrator.isAlive()).as("the run got to the fault; see " + work).isTrue();
            // Another writer of the telemetry topic speaks for the agent holding the fault.
            AgentHeartbeat forged = new AgentHeartbeat(null, "safety-agent-1", Instant.now(), Map.of("role", "listener"),
                    "nowhere", 1L, Instant.now(), List.of("process.kill"), List.of(), Map.of(), List.of());
            try (KafkaProducer<String, byte[]> p = KafkaClients.producer(KafkaConnection.of(bootstrap), "forger")) {
                p.send(new ProducerRecord<>(Topics.defaults().telemetry(), forged.recordKey(), Json.encode(forged)))
                        .get(15, TimeUnit.SECONDS);
            }

            new ProcessBuilder("kill", "-INT", Long.toString(orchestrator.pid())).inheritIO().start()
                    .waitFor(10, TimeUnit.SECONDS);
            long interrupted = System.nanoTime();
            long resumed = SafetyIT.awaitResumed(listenerPid, Duration.ofSeconds(10));
            System.out.println("run interrupted (SIGINT): listener resumed after " + (resumed - interrupted) / 1_000_000
                    + " ms");
            assertThat(Duration.ofNanos(resumed - interrupted)).as("healed at once, not at the 60 s lease")
                    .isLessThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(orchestrator.waitFor(60, TimeUnit.SECONDS)).as("the run ended after its heal").isTrue();
            assertThat(orchestrator.exitValue()).isEqualTo(ExitCodes.ABORTED);

            Path verdictFile;
            try (var dirs = Files.list(reports)) {
                verdictFile = dirs.filter(d -> d.getFileName().toString().startsWith("interrupted-run-")).findFirst()
                        .orElseThrow().resolve("verdict.json");
            }
            Verdict v = SchemaCheck.conforming(Json.mapper().readValue(Files.readAllBytes(verdictFile), Verdict.class));
            assertThat(v.status()).isEqualTo(Verdict.Status.ABORTED);
            assertThat(v.reason()).isEqualTo("interrupted (SIGINT)");
            assertThat(v.faults()).extracting(FaultRecord::name).containsExactly("freeze");
            assertThat(v.faults().get(0).undoneAt()).as("the agent confirmed the undo").isNotNull();
            assertThat(v.checks()).isNotEmpty();
            assertThat(v.checks()).filteredOn(c -> c.name().equals("authentic")).singleElement().satisfies(c -> {
                assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
                assertThat(c.summary()).contains("(1 unsigned)", "agent safety-agent-1: the record carries no key id");
            });
            assertThat(Files.readString(work.resolve("interrupted-run.log")))
                    .contains("faultline: interrupted (SIGINT): healing every fault");
        } finally {
            orchestrator.destroyForcibly();
        }
    }

    private static GameDay gameDay() throws Exception {
        return gameDay(System.out);
    }

    /** A game-day on the test broker printing its progress to {@code progress}. */
    private static GameDay gameDay(PrintStream progress) throws Exception {
        RunOptions d = RunOptions.defaults(bootstrap, System.out, cluster.signer());
        return new GameDay(new RunOptions(bootstrap, Topics.defaults(), Duration.ofSeconds(30),
                d.heartbeatMaxAge(), d.commandTimeout(), progress, d.signer()), Clock.systemUTC());
    }

    @Test
    void aHaltDuringARunUndoesTheFaultAndTheVerdictIsAborted() throws Exception {
        Scenario scenario = ScenarioLoader.load(scenario("halted-run", "15s", ""));
        CompletableFuture<Verdict> run = CompletableFuture.supplyAsync(() -> {
            try {
                return SchemaCheck.conforming(gameDay().run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(90)).until(() -> Procs.state(listenerPid) == 'T' || run.isDone());
        assertThat(Faultline.commandLine().execute("halt", "-b", bootstrap, "--reason", "run safety it")).isZero();
        long halted = System.nanoTime();
        long resumed = SafetyIT.awaitResumed(listenerPid, Duration.ofSeconds(10));
        Verdict v = run.get(60, TimeUnit.SECONDS);
        System.out.println("halt during a run: listener resumed after " + (resumed - halted) / 1_000_000 + " ms; "
                + v.status() + ": " + v.reason());
        // The run renews the lease while it holds the fault: resumed within awaitResumed's 10 s is the halt's doing.
        assertThat(v.status()).isEqualTo(Verdict.Status.ABORTED);
        assertThat(v.reason()).startsWith("halted by ").endsWith(": run safety it");
        assertThat(ExitCodes.of(v.status())).isEqualTo(4);
        assertThat(Duration.between(v.startedAt(), v.finishedAt())).as("the 60s wait was cut short")
                .isLessThan(Duration.ofSeconds(45));
        // What the run recorded before the halt is kept: counts, the fault, the checks, and the audit record.
        assertThat(v.canary()).isNotNull();
        assertThat(v.canary().sent()).isPositive();
        assertThat(v.faults()).extracting(FaultRecord::name).containsExactly("freeze");
        assertThat(v.checks()).isNotEmpty();
        assertThat(replay(v.runId())).contains("the verdict matches the original (ABORTED)");
    }

    @Test
    void aStepThatCannotBeCarriedOutEndsTheRunInErrorKeepingWhatItRecorded() throws Exception {
        Path file = freezeFor("second-fault-fails", "2s", """
                  - wait: 1s
                  - name: phantom
                    inject:
                      target: listener
                      fault: {type: process.kill, signal: STOP, process: {pidFile: /nonexistent/phantom.pid}}
                      lease: 15s
                  - wait: 30s
                drain: 5s
                """);
        Scenario scenario = ScenarioLoader.load(file);
        Verdict v = SchemaCheck.conforming(gameDay().run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
        System.out.println(Reports.summary(v));
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).contains("phantom");
        assertThat(Procs.state(listenerPid)).isNotEqualTo('T');
        // What the run recorded before the failed step is kept: counts, the first fault, the checks, the audit record.
        assertThat(v.canary()).isNotNull();
        assertThat(v.canary().sent()).isPositive();
        assertThat(v.faults()).extracting(FaultRecord::name).contains("freeze");
        assertThat(v.faults().get(0).undoneAt()).isNotNull();
        assertThat(v.checks()).extracting(CheckResult::name).contains("lost", "failover[freeze]");
        assertThat(Duration.between(v.startedAt(), v.finishedAt())).as("the 30s wait was not run")
                .isLessThan(Duration.ofSeconds(40));
        assertThat(replay(v.runId())).contains("the verdict matches the original (ERROR)");
    }

    /**
     * A scenario that freezes the listener for {@code hold} and heals it, then goes on with
     * {@code rest} (more steps and the scenario's other keys, indented as the steps are).
     */
    private static Path freezeFor(String name, String hold, String rest) throws Exception {
        return freezeFor(name, "1s", hold, rest);
    }

    /** As above, the freeze coming after a wait of {@code before}. */
    private static Path freezeFor(String name, String before, String hold, String rest) throws Exception {
        Path file = work.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                targets:
                  listener:
                    labels: {client-id: safety-listener-1}
                workload:
                  canary: {inputTopic: safety-in, outputTopic: safety-out, rate: 20, partitions: 1, preflightTimeout: 60s}
                steps:
                  - wait: %s
                  - name: freeze
                    inject: {target: listener, fault: {type: process.kill, signal: STOP}, lease: 15s}
                  - wait: %s
                  - heal: freeze
                """.formatted(name, before, hold) + rest);
        return file;
    }

    /** A freeze of the listener for {@code hold}, compared with the scenario's past passed runs. */
    private static Scenario regressionScenario(String name, String hold) throws Exception {
        return ScenarioLoader.load(freezeFor(name, hold, """
                drain: 5s
                checks:
                  regression: {failover: 1.5x, baseline: 3}
                """));
    }

    /** {@code faultline replay RUN_ID} on the test broker; its output, after it said the verdict matches. */
    private static String replay(String runId) {
        StringWriter out = new StringWriter();
        CommandLine replay = Faultline.commandLine();
        replay.setOut(new PrintWriter(out, true));
        assertThat(replay.execute("replay", runId, "-b", bootstrap)).as(out.toString()).isZero();
        return out.toString();
    }

    /**
     * A run longer than the fold horizon: its canaries are folded while it goes (the progress line
     * counts them) and at the end, the verdict is judged on the folded history, the audit record
     * carries the stretches instead of the canaries, and replay judges them the same.
     */
    @Test
    void aLongRunFoldsItsCanariesAsItGoesAndIsJudgedAndReplayedTheSame() throws Exception {
        // 30 s before the fault: the first 10 s (where the steady state is looked for) stay whole, and
        // a fold reaches back the command timeout plus 10 s (15 s here), so folding starts after 25 s.
        Path file = freezeFor("folded-run", "30s", "2s", """
                  - wait: 3s
                drain: 5s
                """);
        Scenario scenario = ScenarioLoader.load(file);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                System.out.write(b);
                progress.write(b);
            }
        }, true);
        RunOptions d = RunOptions.defaults(bootstrap, System.out, cluster.signer());
        GameDay folding = GameDay.builder(new RunOptions(bootstrap, Topics.defaults(), Duration.ofSeconds(30),
                d.heartbeatMaxAge(), Duration.ofSeconds(5), both, d.signer())).foldHorizon(Duration.ofSeconds(5)).build();
        Verdict v = SchemaCheck.conforming(folding.run(scenario, GameDay.newRunId(scenario.name(),
                Clock.systemUTC())).verdict());
        System.out.println(Reports.summary(v));
        assertThat(v.status()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.faults().get(0).failover().outage()).isTrue();
        // Folded while it went: some 40 s of canaries, a fold every 5 s reaching 15 s back.
        assertThat(progress.toString()).containsPattern("canaries sent \\d+, observed \\d+ \\([1-9]\\d* folded\\)");
        History h = RunAudit.read(bootstrap, Topics.defaults().telemetry(),
                v.runId(), Duration.ofSeconds(30)).history();
        assertThat(h.sentCount()).isEqualTo(v.canary().sent());
        // Kept whole: the canaries around the freeze and the last ones; the rest are stretches.
        assertThat(h.folded()).isNotEmpty();
        assertThat((long) h.sent().size()).isLessThan(v.canary().sent() / 2);
        String replayed = replay(v.runId());
        System.out.println(replayed);
        assertThat(replayed).contains("of them folded into", "the verdict matches the original (PASSED)");
    }

    @Test
    void aRunSlowerThanItsPastPassedRunsFailsItsRegressionCheckWithTheBaseline() throws Exception {
        String name = "regression-" + Long.toHexString(System.nanoTime());
        // Nothing to compare with yet: said, not failed.
        Verdict first = SchemaCheck.conforming(gameDay().run(regressionScenario(name, "1s"),
                GameDay.newRunId(name, Clock.systemUTC())).verdict());
        CheckResult none = first.checks().stream().filter(c -> c.name().equals("regression")).findFirst().orElseThrow();
        assertThat(none.passed()).isTrue();
        assertThat(none.summary()).isEqualTo("not compared: 0 passed run(s) of " + name + " on the verdicts topic, 3 "
                + "needed for a baseline");
        // Three fast passed runs of the same scenario on the verdicts topic, then a freeze held 4 s.
        Instant t = Instant.now().minusSeconds(3600);
        try (var producer = KafkaClients.producer(bootstrap, "regression-it")) {
            for (int i = 0; i < 3; i++) {
                FaultRecord f = new FaultRecord("freeze", "c" + i, "a", "process.kill",
                        t, t, t.plusSeconds(1), t.plusSeconds(1), new FaultRecord.Failover(true, true, t,
                        t.plusMillis(1000), 950L + i * 50, 1000L + i * 50, 20, 1000L, 0L, List.of()), null);
                Verdict past = Verdict.judged(name + "-past-" + i, name, t, t.plusSeconds(20), List.of(), List.of(f), null);
                producer.send(new ProducerRecord<>(Topics.defaults().verdicts(),
                        past.runId(), Json.encode(past))).get(15, TimeUnit.SECONDS);
            }
        }
        Verdict slow = SchemaCheck.conforming(gameDay().run(regressionScenario(name, "4s"),
                GameDay.newRunId(name, Clock.systemUTC())).verdict());
        System.out.println(Reports.summary(slow));
        CheckResult failover = slow.checks().stream().filter(c -> c.name().equals("regression[failover]")).findFirst()
                .orElseThrow(() -> new AssertionError("no regression[failover] in " + slow.checks()));
        assertThat(failover.passed()).as(failover.summary()).isFalse();
        assertThat(failover.threshold()).isEqualTo(1575.0);
        assertThat(failover.summary()).contains("the median 1050 ms of the last 3 passed runs", name + "-past-0 .. "
                + name + "-past-2");
        assertThat(slow.status()).isEqualTo(Verdict.Status.FAILED);
    }

    @Test
    void aTrippedStopConditionHealsEverythingAndTheVerdictIsAborted() throws Exception {
        Scenario scenario = ScenarioLoader.load(scenario("stop-condition", "15s", """
                stopConditions:
                  - name: canary-flowing
                    canary: {maxGap: 2s}
                    interval: 500ms
                    failures: 2
                """));
        Verdict v = SchemaCheck.conforming(gameDay().run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
        System.out.println("stop condition: " + v.status() + ": " + v.reason());
        assertThat(v.status()).isEqualTo(Verdict.Status.ABORTED);
        assertThat(v.reason()).startsWith("stop condition 'canary-flowing' tripped: last canary completed");
        assertThat(Procs.state(listenerPid)).as("healed before the verdict").isNotEqualTo('T');
        assertThat(Duration.between(v.startedAt(), v.finishedAt())).isLessThan(Duration.ofSeconds(45));
    }

    @Test
    void aStopConditionThatDoesNotHoldBeforeTheFaultStopsTheRunWithNothingInjected() throws Exception {
        Scenario scenario = ScenarioLoader.load(scenario("unhealthy-start", "15s", """
                stopConditions:
                  - name: api-up
                    http: {url: "http://127.0.0.1:1/health", timeout: 1s}
                """));
        Verdict v = SchemaCheck.conforming(gameDay().run(scenario, GameDay.newRunId(scenario.name(), Clock.systemUTC())).verdict());
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).startsWith("preflight: stop condition 'api-up' does not hold before any fault: GET");
        assertThat(Procs.state(listenerPid)).isNotEqualTo('T');
    }

    @Test
    void planChecksEveryStepWithTheAgentAndChangesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int ok = cl.execute("plan", scenario("planned", "15s", "").toString(), "-b", bootstrap,
                "--signing-key", signingKey().toString());
        System.out.println(out);
        assertThat(ok).isZero();
        assertThat(out.toString()).contains("inject freeze (process.kill on listener)",
                "-> safety-agent-1: would apply process.kill with lease 15s", "Runnable");
        assertThat(Procs.state(listenerPid)).isNotEqualTo('T');

        out.reset();
        int refused = cl.execute("plan", scenario("planned-long", "1h", "").toString(), "-b", bootstrap,
                "--signing-key", signingKey().toString());
        System.out.println(out);
        assertThat(refused).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(out.toString()).contains("safety-agent-1 would refuse it: policy: lease 1h exceeds maxLease 15m");
        assertThat(Procs.state(listenerPid)).isNotEqualTo('T');

        // --canary: the canary's round trip too, so a scenario that cannot be verified is caught now.
        out.reset();
        int roundTrip = cl.execute("plan", scenario("planned-canary", "15s", "").toString(), "-b", bootstrap,
                "--signing-key", signingKey().toString(), "--canary");
        System.out.println(out);
        assertThat(roundTrip).isZero();
        assertThat(out.toString()).contains("canary round trip: the first canary came back", "and the canary comes back");
        Path wrongPlace = scenario("planned-wrong-id", "15s", "");
        Files.writeString(wrongPlace, Files.readString(wrongPlace).replace("preflightTimeout: 60s}",
                "preflightTimeout: 5s, output: {header: x-payment-id}}"));
        out.reset();
        int unverifiable = cl.execute("plan", wrongPlace.toString(), "-b", bootstrap, "--signing-key",
                signingKey().toString(), "--canary");
        System.out.println(out);
        assertThat(unverifiable).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(out.toString()).contains("canary traffic does not flow end to end", "none carrying a canary id of this "
                + "run in header x-payment-id");
        assertThat(Procs.state(listenerPid)).isNotEqualTo('T');
    }
}

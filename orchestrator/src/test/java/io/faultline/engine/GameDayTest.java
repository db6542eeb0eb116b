package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.CommandVerifier;
import io.faultline.protocol.HealCommand;
import io.faultline.kafka.memory.MemoryConsumer;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.time.ManualScheduler;
import io.faultline.time.Scheduler;
import io.faultline.verifier.CheckNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MockAdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole game-day without a broker: the run engine is built on kafka-clients' mocks
 * ({@code MockAdminClient}, {@code MockProducer}, {@code MockConsumer}) and on one
 * {@link ManualScheduler} for every timer and wait, so a 30 s pause passes at once and each lease
 * renewal falls due at its time. An agent stands in on the other side of the topics: it answers
 * each command it can verify as a real agent reports it.
 */
class GameDayTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Topics TOPICS = Topics.defaults();
    private static final KeyPair KEYS = KeyFiles.newKeyPair();
    private static final KeyPair AGENT_KEYS = KeyFiles.newKeyPair();
    private static final Node NODE = new Node(0, "localhost", 9092);

    private final ManualScheduler time = new ManualScheduler(T0);
    private final FakeCluster kafka = new FakeCluster();
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private HttpServer health;

    @AfterEach
    void tearDown() {
        if (health != null) {
            health.stop(0);
        }
    }

    private static final String FREEZE = """
            name: freeze
            targets:
              svc:
                labels: {role: listener}
            steps:
              - name: freeze
                inject:
                  target: svc
                  fault: {type: process.kill, signal: STOP}
                  lease: 9s
              - wait: 30s
              - heal: freeze
            """;

    @Test
    void runsTheStepsRenewsTheLeaseHealsAndPublishesTheVerdict() throws Exception {
        RunResult result = run(FREEZE);
        Verdict v = result.verdict();
        assertThat(v.status()).as(v.reason()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.faults()).singleElement().satisfies(f -> {
            assertThat(f.agentId()).isEqualTo("agent-1");
            assertThat(f.invokedAt()).isEqualTo(T0);
            assertThat(f.healInvokedAt()).isEqualTo(T0.plusSeconds(30));
            assertThat(f.undoneAt()).isEqualTo(T0.plusSeconds(30));
        });
        // Renewed every third of its 9 s lease while the 30 s wait passed: at 3, 6, ... 30 s (the heal's instant).
        assertThat(kafka.agent.renewedAt).containsExactly(T0.plusSeconds(3), T0.plusSeconds(6), T0.plusSeconds(9),
                T0.plusSeconds(12), T0.plusSeconds(15), T0.plusSeconds(18), T0.plusSeconds(21), T0.plusSeconds(24),
                T0.plusSeconds(27), T0.plusSeconds(30));
        assertThat(kafka.agent.commands).extracting(c -> c.getClass().getSimpleName()).startsWith("ApplyCommand")
                .endsWith("HealCommand");
        assertThat(kafka.published(TOPICS.verdicts())).singleElement()
                .satisfies(r -> assertThat(Json.decode(r.value(), Verdict.class).runId()).isEqualTo(v.runId()));
        assertThat(kafka.published(TOPICS.telemetry())).as("the audit record").isNotEmpty();
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("freeze");
    }

    @Test
    void anAgentThatRefusesEndsTheRunInErrorWithItsReason() throws Exception {
        kafka.agent.refuse = "unknown-key: key id 'rogue' is not trusted here (trusted: ops)";
        Verdict v = run(FREEZE).verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).contains("agent-1 could not apply freeze (rejected)", "key id 'rogue' is not trusted");
        assertThat(kafka.published(TOPICS.verdicts())).hasSize(1);
    }

    @Test
    void anAgentThatNeverAnswersIsGivenUpAtTheCommandTimeoutOnTheRunsClock() throws Exception {
        kafka.agent.silent = true;
        FutureTask<RunResult> run = new FutureTask<>(() -> run(FREEZE));
        Thread t = new Thread(run, "game-day");
        t.setDaemon(true);
        t.start();
        // The run waits on its clock: nothing ends until the test moves it past the command timeout.
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> !kafka.agent.commands.isEmpty());
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> {
            time.advance(Duration.ofSeconds(1));
            return run.isDone();
        });
        Verdict v = run.get().verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).isEqualTo("agent agent-1 did not report on freeze within 15s; a heal is sent in case "
                + "it was applied (its lease, 9s, undoes it otherwise)");
        // Its report may only have been held up on the way (a frozen broker): the fault is healed all the same.
        ApplyCommand apply = (ApplyCommand) kafka.agent.commands.get(0);
        assertThat(kafka.agent.commands).last().isInstanceOfSatisfying(HealCommand.class,
                h -> assertThat(h.faultCommandId()).isEqualTo(apply.commandId()));
        assertThat(v.checks()).filteredOn(c -> c.name().equals("undone")).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.FAIL));
    }

    /** A real HTTP endpoint, {@code health}, that fails from 10 s into the run on its clock. */
    private void healthFailingFromTenSeconds() throws IOException {
        health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/health", exchange -> {
            int status = time.clock().instant().isBefore(T0.plusSeconds(10)) ? 200 : 503;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        health.start();
    }

    @Test
    void aStopConditionThatTripsAbortsTheRunAndHealsAtOnce() throws Exception {
        healthFailingFromTenSeconds();
        String scenario = FREEZE + """
                stopConditions:
                  - name: service-up
                    http: {url: "http://127.0.0.1:%d/health"}
                """.formatted(health.getAddress().getPort());
        Verdict v = run(scenario).verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.ABORTED);
        assertThat(v.reason()).contains("service-up");
        assertThat(v.faults()).singleElement().satisfies(f -> {
            assertThat(f.healInvokedAt()).isAfter(T0.plusSeconds(10)).isBefore(T0.plusSeconds(30));
            assertThat(f.undoneAt()).isNotNull();
        });
        assertThat(kafka.agent.commands).last().isInstanceOf(HealCommand.class);
    }

    @Test
    void anActionStepAndTheRollbacksRunAndAreChecksOfTheVerdict(@TempDir Path dir) throws Exception {
        Path marked = dir.resolve("marked");
        Path restored = dir.resolve("restored");
        String scenario = FREEZE.replace("  - wait: 30s\n", """
                  - name: mark
                    action: {run: [touch, "%s"]}
                  - wait: 30s
                """.formatted(marked)) + """
                rollbacks:
                  - name: restore
                    action: {run: [touch, "%s"]}
                """.formatted(restored);
        Verdict v = run(scenario).verdict();
        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(marked).exists();
        assertThat(restored).exists();
        assertThat(v.checks()).filteredOn(c -> c.name().equals("action[mark]")).singleElement()
                .satisfies(c -> assertThat(c.summary()).startsWith("run touch " + marked + ": done in "));
        assertThat(v.checks()).filteredOn(c -> c.name().equals("rollback[restore]")).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.PASS));
    }

    @Test
    void anAbortedRunStillRunsEveryRollbackAfterHealingAndAFailedOneFailsTheVerdict(@TempDir Path dir)
            throws Exception {
        healthFailingFromTenSeconds();
        Path restored = dir.resolve("restored");
        String scenario = FREEZE + """
                stopConditions:
                  - name: service-up
                    http: {url: "http://127.0.0.1:%d/health"}
                rollbacks:
                  - name: broken
                    action: {run: [sh, -c, "echo cannot reach the deployer; exit 7"]}
                  - name: restore
                    action: {run: [touch, "%s"]}
                """.formatted(health.getAddress().getPort(), restored);
        Verdict v = run(scenario).verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.ABORTED);
        assertThat(kafka.agent.commands).as("healed before the rollbacks").last().isInstanceOf(HealCommand.class);
        assertThat(restored).as("the second rollback ran although the first failed").exists();
        assertThat(v.checks()).filteredOn(c -> c.name().equals("rollback[broken]")).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
            assertThat(c.summary()).contains("exited 7", "last output: cannot reach the deployer");
        });
        assertThat(v.checks()).filteredOn(c -> c.name().equals("rollback[restore]")).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.PASS));
    }

    @Test
    void anInterruptWhilePreflightWaitsForAgentsEndsTheRunAtOnceWithNothingApplied() throws Exception {
        // No agent has this label: preflight waits the agent wait on the run's clock, which the test never moves.
        GameDay[] gameDay = {null};
        FutureTask<RunResult> run = new FutureTask<>(() -> {
            Scenario scenario = ScenarioLoader.parse(Path.of("freeze.yaml"), FREEZE.replace("role: listener", "role: nobody"));
            gameDay[0] = GameDay.builder(RunOptions.builder("mock:9092", new CommandSigner("ops", KEYS.getPrivate()))
                            .topics(TOPICS).progress(new PrintStream(progress, true, StandardCharsets.UTF_8)).build())
                    .clock(time.clock()).schedulers(name -> new Unclosed(time, () -> { })).clients(kafka).build();
            return gameDay[0].run(scenario, "freeze-run-1");
        });
        Thread t = new Thread(run, "game-day");
        t.setDaemon(true);
        t.start();
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("awaitAgents")));
        gameDay[0].interrupt("interrupted (SIGINT)");
        Verdict v = run.get(20, TimeUnit.SECONDS).verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.ABORTED);
        assertThat(v.reason()).isEqualTo("interrupted (SIGINT) during preflight; no fault was applied");
        assertThat(time.clock().instant()).as("it did not wait out the agent wait").isEqualTo(T0);
        assertThat(kafka.agent.commands).isEmpty();
        assertThat(kafka.published(TOPICS.verdicts())).as("the verdict is still published").hasSize(1);
    }

    @Test
    void withAgentKeysAForgedUndoneIsNotBelievedAndTheVerdictSaysSo() throws Exception {
        kafka.agent.forgeUndone = true;
        RunResult result = run(FREEZE, Map.of("agent-1", AGENT_KEYS.getPublic()));
        Verdict v = result.verdict();
        assertThat(v.faults()).singleElement().satisfies(f ->
                assertThat(f.undoneAt()).as("the agent's own undone, at heal").isEqualTo(T0.plusSeconds(30)));
        assertThat(result.evidence().commandEvents()).extracting(r -> r.event())
                .filteredOn(e -> e.step() == CommandEvent.Step.UNDONE).extracting(CommandEvent::at)
                .as("the forger's never reached the run").containsExactly(T0.plusSeconds(30));
        assertThat(v.checks()).filteredOn(c -> c.name().equals(CheckNames.AUTHENTIC)).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.FAIL);
            assertThat(c.summary()).contains("1 telemetry event(s) claiming this run or its agents were refused (1 unsigned)",
                    "agent agent-1: the record carries no key id");
        });
        assertThat(v.status()).isEqualTo(Verdict.Status.FAILED);
    }

    @Test
    void withoutAgentKeysTheForgedUndoneIsBelievedAndTheCheckSaysNothingWasChecked() throws Exception {
        kafka.agent.forgeUndone = true;
        RunResult result = run(FREEZE);
        Verdict v = result.verdict();
        // Believed: the forger's undone (sent "53 ms after apply") is the first the run has, ahead of the agent's own.
        assertThat(result.evidence().commandEvents()).extracting(r -> r.event())
                .filteredOn(e -> e.step() == CommandEvent.Step.UNDONE).extracting(CommandEvent::at)
                .first().isEqualTo(T0.plusMillis(53));
        assertThat(v.checks()).filteredOn(c -> c.name().equals(CheckNames.AUTHENTIC)).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.SKIP);
            assertThat(c.summary()).contains("telemetry was not authenticated");
        });
    }

    @Test
    void anAgentWhoseKeyIsNotTrustedIsNotLiveAndPreflightSaysWhy() throws Exception {
        kafka.agent.signer = new TelemetrySigner("agent-1", KeyFiles.newKeyPair().getPrivate());
        FutureTask<RunResult> run = new FutureTask<>(() -> run(FREEZE, Map.of("agent-1", AGENT_KEYS.getPublic())));
        Thread t = new Thread(run, "game-day");
        t.setDaemon(true);
        t.start();
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> {
            time.advance(Duration.ofSeconds(1));
            return run.isDone();
        });
        Verdict v = run.get().verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.ERROR);
        assertThat(v.reason()).contains("no live agent matches target 'svc'", "agent event(s) were not believed",
                "forged: agent agent-1: the signature does not verify with key agent-1");
        assertThat(kafka.agent.commands).as("nothing was sent to an agent the run cannot believe").isEmpty();
    }

    @Test
    void withAgentKeysTheAgentsSignedEventsAreBelieved() throws Exception {
        Verdict v = run(FREEZE, Map.of("agent-1", AGENT_KEYS.getPublic())).verdict();
        assertThat(v.status()).as(v.reason()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.checks()).filteredOn(c -> c.name().equals(CheckNames.AUTHENTIC)).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.PASS);
            assertThat(c.summary()).contains("signed by a trusted key (agent-1)");
        });
    }

    private static final String FREEZE_WITH_CANARY = FREEZE.replace("steps:", """
            workload:
              canary:
                inputTopic: orders
                outputTopic: orders.processed
                rate: 50
                partitions: 1
            steps:""") + """
            drain: 5s
            checks:
              lost: 0
              duplicated: 0
            """;

    @Test
    void aCanaryRunsThroughTheWholeGameDayOnTheRunsClockAndAServiceThatHoldsItsInputLosesNothing() throws Exception {
        RunResult result = run(FREEZE_WITH_CANARY);
        Verdict v = result.verdict();
        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(kafka.service.held).as("the freeze held canaries back").isPositive();
        assertThat(kafka.service.dropped).isZero();
        // Sent at 50/s on the run's clock from preflight until the drain: 30 s of freeze, so at least 1,500.
        assertThat(v.canary().sent()).isEqualTo(kafka.service.received).isGreaterThanOrEqualTo(1_500);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.canary().duplicated()).isZero();
        assertThat(kafka.published(TOPICS.verdicts())).hasSize(1);
    }

    @Test
    void aServiceThatDropsWhatArrivesWhileFrozenFailsWithExactlyTheCanariesItDropped() throws Exception {
        kafka.service.dropWhileFrozen = true;
        Verdict v = run(FREEZE_WITH_CANARY).verdict();
        assertThat(v.status()).isEqualTo(Verdict.Status.FAILED);
        assertThat(kafka.service.dropped).as("the freeze dropped canaries").isGreaterThanOrEqualTo(1_500);
        // The verdict's count against the service's own. No consumer group committed past them, so
        // the run cannot say the service read them: acknowledged and never seen, not lost.
        assertThat(v.canary().unseen()).isEqualTo(kafka.service.dropped);
        assertThat(v.canary().lost()).isZero();
        assertThat(v.canary().observed()).isEqualTo(kafka.service.received - kafka.service.dropped);
        assertThat(v.checks()).filteredOn(c -> c.name().equals(CheckNames.UNSEEN)).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.FAIL));
        // Everything put out before the freeze and after the heal was drained.
        assertThat(v.faults()).singleElement().satisfies(f -> assertThat(f.undoneAt()).isEqualTo(f.invokedAt().plusSeconds(30)));
    }

    @Test
    void aLongQuietLeadInIsFoldedOnTheFoldCadenceAndProgressIsPrintedEveryTwoSecondsOfTheRunsClock() throws Exception {
        String scenario = FREEZE_WITH_CANARY.replace("steps:\n", "steps:\n  - wait: 60s\n")
                .replace("- wait: 30s", "- wait: 5s");
        Verdict v = run(scenario).verdict();
        assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
        assertThat(v.canary().sent()).isEqualTo(kafka.service.received).isGreaterThanOrEqualTo(3_250);
        assertThat(v.canary().lost() + v.canary().unseen()).isZero();
        String out = progress.toString(StandardCharsets.UTF_8);
        // Folded every 5 s, the canaries over 30 s old: none in the first 30 s, some by the end of the quiet minute.
        assertThat(out.lines().filter(l -> l.contains("folded")).findFirst()).hasValueSatisfying(l ->
                assertThat(l).matches("\\[  (3[5-9]|4\\d)\\.0s\\] step 1/4 \\| canaries sent \\d+, observed \\d+ \\(\\d+ folded\\)"));
        assertThat(out).containsPattern("\\[  60\\.0s\\] step 1/4 \\| canaries sent \\d+, observed \\d+ \\(\\d+ folded\\)");
        // One line every 2 s of the run's clock, from 2 s to 64 s.
        assertThat(out.lines().filter(l -> l.contains("| canaries sent"))).hasSize(32);
    }

    private RunResult run(String yaml) throws Exception {
        return run(yaml, Map.of());
    }

    private RunResult run(String yaml, Map<String, PublicKey> agentKeys) throws Exception {
        Scenario scenario = ScenarioLoader.parse(Path.of("freeze.yaml"), yaml);
        RunOptions options = RunOptions.builder("mock:9092", new CommandSigner("ops", KEYS.getPrivate()))
                .topics(TOPICS).progress(new PrintStream(progress, true, StandardCharsets.UTF_8))
                .agentKeys(agentKeys).build();
        Scheduler shared = new Unclosed(time, kafka.service::awaitObserved);
        Function<String, Scheduler> schedulers = name -> shared;
        GameDay gameDay = GameDay.builder(options).clock(time.clock()).schedulers(schedulers).clients(kafka)
                .ticker(() -> {
                    Instant now = time.clock().instant();
                    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
                }).build();
        return gameDay.run(scenario, "freeze-run-1");
    }

    /**
     * The test's one scheduler, handed to every part of the run; the parts' closing it leaves it
     * running. Before time moves on, {@code settle} waits (in real time) for the canary's observer
     * thread to have read what the service put out, so each arrival is seen at the instant it came.
     */
    private record Unclosed(ManualScheduler time, Runnable settle) implements Scheduler {
        @Override
        public Clock clock() {
            return time.clock();
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            return time.schedule(delay, task);
        }

        @Override
        public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
            return time.scheduleAtFixedRate(initialDelay, period, task);
        }

        @Override
        public <T> T call(Callable<T> task, Duration timeout) throws Exception {
            return time.call(task, timeout);
        }

        @Override
        public void sleep(Duration d) {
            settle.run();
            time.sleep(d);
        }

        @Override
        public void close() {
        }
    }

    /** The agent on the far side of the commands topic: verifies each command and reports as a real one does. */
    private final class FakeAgent {
        final List<Command> commands = new CopyOnWriteArrayList<>();
        final List<Instant> renewedAt = new CopyOnWriteArrayList<>();
        volatile String refuse;
        volatile boolean silent;
        /** Signs what the agent reports, with its own telemetry key. */
        volatile TelemetrySigner signer = new TelemetrySigner("agent-1", AGENT_KEYS.getPrivate());
        /** A forger beside it on the telemetry topic: reports the fault undone as soon as it is applied. */
        volatile boolean forgeUndone;
        private final CommandVerifier verifier = new CommandVerifier(Map.of("ops", KEYS.getPublic()));

        void onCommand(byte[] record) {
            Command c;
            try {
                c = verifier.open(record);
            } catch (Exception e) {
                throw new AssertionError("the run sent a command its agent cannot verify", e);
            }
            commands.add(c);
            Instant now = time.clock().instant();
            if (c instanceof RenewCommand) {
                renewedAt.add(now);
                return;
            }
            if (silent) {
                return;
            }
            kafka.report(CommandEvent.received("agent-1", now, c));
            if (c instanceof ApplyCommand apply) {
                kafka.report(refuse != null
                        ? new CommandEvent(CommandEvent.Step.REJECTED, apply.runId(), "agent-1", now, apply.commandId(),
                        apply.fault().type(), refuse)
                        : CommandEvent.applied("agent-1", now, apply, "sent STOP to pid 4242"));
                if (forgeUndone) {
                    kafka.report(CommandEvent.undone("agent-1", now.plusMillis(53), apply.runId(), apply.commandId(),
                            "process.kill", "sent CONT to pid 4242"), null);
                }
                if (refuse == null) {
                    kafka.service.frozen = true;
                }
            } else if (c instanceof HealCommand heal) {
                kafka.service.release();
                kafka.report(CommandEvent.undone("agent-1", now, heal.runId(), heal.faultCommandId(),
                        "process.kill", "sent CONT to pid 4242"));
            }
        }

        AgentHeartbeat heartbeat() {
            Instant now = time.clock().instant();
            return new AgentHeartbeat(null, "agent-1", now, Map.of("role", "listener"), "host-1", 4242L, T0,
                    List.of("process.kill"), List.of(), Map.of(), List.of(), null);
        }
    }

    /**
     * The system under test behind the canary's topics: each record sent to {@code orders} comes
     * out on {@code orders.processed} as it went in. While its agent holds it frozen it holds what
     * arrives and puts it out at the heal, or, with {@link #dropWhileFrozen}, loses it.
     */
    private final class FakeService {
        final MemoryConsumer<String, byte[]> output = new MemoryConsumer<>("latest", "orders.processed", "orders");
        volatile boolean frozen;
        volatile boolean dropWhileFrozen;
        final List<ProducerRecord<String, byte[]>> backlog = new CopyOnWriteArrayList<>();
        volatile long received;
        volatile long held;
        volatile long dropped;
        /** Records put out. */
        private long putOut;

        synchronized void accept(ProducerRecord<String, byte[]> r) {
            received++;
            if (!frozen) {
                putOut(r);
            } else if (dropWhileFrozen) {
                dropped++;
            } else {
                held++;
                backlog.add(r);
            }
        }

        synchronized void release() {
            frozen = false;
            backlog.forEach(this::putOut);
            backlog.clear();
        }

        private void putOut(ProducerRecord<String, byte[]> r) {
            if (output.append("orders.processed", r.key(), r.value(), new RecordHeaders(r.headers().toArray()))) {
                putOut++;
            }
        }

        /** Waits until the canary's observer has handled every record put out so far (at most 10 s). */
        void awaitObserved() {
            long target;
            synchronized (this) {
                target = putOut;
            }
            Awaitility.await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1))
                    .until(() -> output.closed() || output.handled() >= target);
        }
    }

    /** Kafka as a run sees it, in memory: topics, the verdicts and audit it publishes, the agent's telemetry. */
    private final class FakeCluster implements RunClients {
        final FakeAgent agent = new FakeAgent();
        final FakeService service = new FakeService();
        private final MockAdminClient admin = new MockAdminClient(List.of(NODE), NODE);
        private final MemoryConsumer<String, byte[]> telemetry = new MemoryConsumer<>("latest", TOPICS.telemetry()) {
            @Override
            public synchronized void assign(Collection<TopicPartition> partitions) {
                super.assign(partitions);
                // An agent heartbeats as soon as the run listens, and every second of the run's time after.
                schedulePollTask(() -> report(agent.heartbeat()));
                time.scheduleAtFixedRate(Duration.ofSeconds(1), Duration.ofSeconds(1), () -> report(agent.heartbeat()));
            }
        };
        private final MemoryConsumer<String, byte[]> halt = new MemoryConsumer<>("latest", TOPICS.halt());
        private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback callback) {
                Future<RecordMetadata> f = super.send(r, callback);
                if (r.topic().equals(TOPICS.commands())) {
                    agent.onCommand(r.value());
                }
                return f;
            }
        };
        private final MockProducer<String, byte[]> canaryProducer = new MockProducer<>(true, null,
                new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback callback) {
                Future<RecordMetadata> f = super.send(r, callback);
                if (r.topic().equals("orders")) {
                    service.accept(r);
                }
                return f;
            }
        };

        /** Appends an agent's event to the telemetry topic, in offset order (under the consumer's own lock). */
        void report(TelemetryEvent e) {
            report(e, agent.signer);
        }

        /** As above, signed by {@code signer} (null: unsigned), as an agent's outbox signs. */
        void report(TelemetryEvent e, TelemetrySigner signer) {
            byte[] value = Json.encode(e);
            RecordHeaders headers = new RecordHeaders();
            if (signer != null) {
                signer.headers(value).forEach(headers::add);
            }
            telemetry.append(TOPICS.telemetry(), e.recordKey(), value, headers);
        }

        List<ProducerRecord<String, byte[]>> published(String topic) {
            return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
        }

        @Override
        public Admin admin() {
            return admin;
        }

        @Override
        public Producer<String, byte[]> producer() {
            return producer;
        }

        @Override
        public Consumer<String, byte[]> telemetry() {
            return telemetry;
        }

        @Override
        public Consumer<String, byte[]> halt() {
            return halt;
        }

        @Override
        public Producer<String, byte[]> canaryProducer(Duration deliveryTimeout) {
            return canaryProducer;
        }

        @Override
        public Consumer<String, byte[]> canaryObserver() {
            return service.output;
        }

        @Override
        public KafkaConnection readBack() {
            return null;
        }
    }
}

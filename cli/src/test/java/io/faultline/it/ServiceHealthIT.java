package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.TestKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Health after heal on real listeners: a partition owner frozen (SIGSTOP) and resumed rejoins its
 * group, and the run passes; the same owner killed just after its resume leaves the group one
 * member short, and the run fails on {@code healthy[freeze-primary]} although failover, loss and
 * duplicates all pass.
 */
class ServiceHealthIT {
    private static final String GROUP = "health-listeners";
    private static final String SCENARIO = """
            name: freeze-primary
            targets:
              listener:
                labels: {role: listener}
                pick: partition-owner
                group: health-listeners
                topic: health-orders
            workload:
              canary: {inputTopic: health-orders, outputTopic: health-orders.processed, rate: 50}
            steps:
              - wait: 4s
              - name: freeze-primary
                inject:
                  target: listener
                  fault: {type: process.kill, signal: STOP}
                  lease: 30s
              - wait: 6s
              - heal: freeze-primary
            drain: 12s
            checks:
              failover: 20s
              latency: {p99: 30s}
            """;

    @Test
    void aTargetBackInItsGroupIsHealthyAndOneThatDiesAfterItsHealFailsTheRun() throws Exception {
        String bootstrap = TestKafka.bootstrapServers();
        Scenario scenario = ScenarioLoader.parse(Path.of("freeze-primary.yaml"), SCENARIO);
        Path work = Files.createTempDirectory("faultline-health");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Topics topics = Topics.defaults();
            KafkaClients.ensureTopics(admin, Map.of(topics.commands(), 1, topics.telemetry(), 1, topics.verdicts(), 1,
                    "health-orders", 1, "health-orders.processed", 1));
            try (DemoCluster cluster = DemoCluster.start(bootstrap, 3, DemoCluster.ListenerSettings.demo("exactly-once",
                    GROUP, "health-orders", "health-orders.processed"), work, "health-")) {
                cluster.awaitGroup(admin, GROUP, 3, Duration.ofSeconds(90));
                RunOptions options = new RunOptions(bootstrap, topics, Duration.ofSeconds(30),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, cluster.signer());
                Clock clock = Clock.systemUTC();

                Verdict back = SchemaCheck.conforming(new GameDay(options, clock).run(scenario, GameDay.newRunId("health-back", clock)).verdict());
                System.out.println(Reports.summary(back));
                CheckResult healthy = check(back, "healthy[freeze-primary]");
                assertThat(healthy.passed()).as(healthy.summary()).isTrue();
                assertThat(healthy.summary()).contains("group health-listeners: 3 members");
                assertThat(check(back, "percentiles[run]").passed()).isTrue();
                // The heal is the last step: the canary stops right after it, so an "after" phase has
                // canaries only when some were sent in those few milliseconds, and is left out otherwise.
                assertThat(back.canary().phases()).extracting(p -> p.name())
                        .startsWith("before", "during freeze-primary");
                assertThat(back.status()).isEqualTo(Verdict.Status.PASSED);

                cluster.awaitGroup(admin, GROUP, 3, Duration.ofSeconds(60));
                Thread killer = new Thread(() -> killOnceResumed(work), "kill-after-resume");
                killer.setDaemon(true);
                killer.start();
                Verdict died = SchemaCheck.conforming(new GameDay(options, clock).run(scenario, GameDay.newRunId("health-died", clock)).verdict());
                System.out.println(Reports.summary(died));
                killer.join(Duration.ofSeconds(5).toMillis());
                CheckResult dead = check(died, "healthy[freeze-primary]");
                assertThat(dead.passed()).as(dead.summary()).isFalse();
                assertThat(dead.summary()).startsWith("not healthy after heal: group health-listeners: 2 members");
                assertThat(died.canary().lost()).isZero();
                assertThat(died.status()).isEqualTo(Verdict.Status.FAILED);
            }
        }
    }

    private static CheckResult check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    /** Waits for a listener to be stopped (SIGSTOP), then for it to run again (heal), then kills it. */
    private static void killOnceResumed(Path work) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Long frozen = null;
        try {
            while (System.nanoTime() < deadline) {
                if (frozen == null) {
                    frozen = listenerPids(work).filter(pid -> "T".equals(state(pid))).findFirst().orElse(null);
                } else if (!"T".equals(state(frozen))) {
                    ProcessHandle.of(frozen).ifPresent(ProcessHandle::destroyForcibly);
                    return;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Stream<Long> listenerPids(Path work) {
        try (var files = Files.list(work)) {
            return files.filter(f -> f.getFileName().toString().matches("health-listener-\\d+\\.pid")).map(f -> {
                try {
                    return Optional.of(Long.parseLong(Files.readString(f).strip()));
                } catch (Exception e) {
                    return Optional.<Long>empty();
                }
            }).flatMap(Optional::stream).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    /** The process state letter from /proc/PID/stat (T: stopped); null when gone. */
    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

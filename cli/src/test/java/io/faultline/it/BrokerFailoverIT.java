package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.broker.EmbeddedCluster;
import io.faultline.cli.Faultline;
import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.DemoCluster;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.TestKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * A broker killed mid-game-day on a three-node cluster ({@code faultline broker --brokers 3}'s):
 * an agent sits beside one broker's process and SIGKILLs it; Faultline's topics and the system's
 * are replicated three times with {@code min.insync.replicas} 2, so the canary keeps flowing
 * through exactly-once listeners and nothing is lost or duplicated.
 */
class BrokerFailoverIT {
    @Test
    void killingOneOfThreeBrokersLosesNothing() throws Exception {
        Path dir = Files.createTempDirectory("faultline-brokers");
        try (EmbeddedCluster kafka = EmbeddedCluster.start(dir.resolve("kafka"), 3, 0)) {
            String bootstrap = kafka.bootstrapServers();
            var init = new StringWriter();
            var cl = Faultline.commandLine();
            cl.setOut(new PrintWriter(init, true));
            assertThat(cl.execute("init", "-b", bootstrap)).isZero();
            System.out.print(init);
            assertThat(init.toString()).startsWith("3 brokers at ").contains("faultline.commands       created  1 "
                    + "partition, replication 3", "min.insync.replicas=2");
            try (Admin admin = KafkaClients.admin(bootstrap)) {
                KafkaClients.ensureTopics(admin, Map.of("ha-orders", 1, "ha-orders.processed", 1));
            }
            // Beside broker 2: its pid is what the agent kills.
            Path brokerPid = dir.resolve("broker-2.pid");
            Files.writeString(brokerPid, Long.toString(kafka.node(2).pid()));
            Path work = Files.createDirectories(dir.resolve("work"));
            Process brokerAgent = AgentProcess.of("agent-broker-2", bootstrap, work).label("role", "broker")
                    .option("--service-pid-file", brokerPid.toString()).start();
            try (DemoCluster listeners = DemoCluster.start(bootstrap, 2, DemoCluster.ListenerSettings.demo("exactly-once",
                    "ha-listeners", "ha-orders", "ha-orders.processed"), work, "ha-");
                 Admin admin = KafkaClients.admin(bootstrap)) {
                listeners.awaitGroup(admin, "ha-listeners", 2, Duration.ofSeconds(120));
                Scenario scenario = ScenarioLoader.parse(Path.of("broker-kill.yaml"), """
                        name: broker-kill
                        targets:
                          broker: {labels: {role: broker}}
                        workload:
                          canary: {inputTopic: ha-orders, outputTopic: ha-orders.processed, rate: 50, preflightTimeout: 90s, group: ha-listeners}
                        steps:
                          - wait: 4s
                          - name: kill-broker
                            inject:
                              target: broker
                              fault: {type: process.kill, signal: KILL}
                              lease: 30s
                          - wait: 12s
                          - heal: kill-broker
                        drain: 30s
                        checks:
                          lost: 0
                          duplicated: 0
                        """);
                RunOptions options = new RunOptions(bootstrap, Topics.defaults(), Duration.ofSeconds(60),
                        Duration.ofSeconds(5), Duration.ofSeconds(15), System.out, TestKeys.signer());
                // Only the broker's agent is targeted; it trusts the test key.
                Verdict v = SchemaCheck.conforming(new GameDay(options, Clock.systemUTC())
                        .run(scenario, GameDay.newRunId("broker-kill", Clock.systemUTC())).verdict());
                System.out.println(Reports.summary(v));
                assertThat(kafka.node(2).isAlive()).as("broker 2 was killed").isFalse();
                assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
                assertThat(v.canary().lost()).isZero();
                assertThat(v.canary().duplicated()).isZero();
                assertThat(v.canary().observed()).isEqualTo(v.canary().acknowledged()).isPositive();
            } finally {
                ChildJvm.stop(brokerAgent, Duration.ofSeconds(10));
            }
        }
    }
}

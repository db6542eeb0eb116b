package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Which library drills the demo runs, and the one sentence it says for the others, before it
 * starts anything.
 */
class DemoScenariosTest {
    private static final Path LIBRARY = Path.of("..", "scenarios");

    private static String cannot(String file, int nodes) throws Exception {
        return cannot(file, nodes, List.of());
    }

    private static String cannot(String file, int nodes, List<String> labMissing) throws Exception {
        return DemoCommand.cannotRunHere(ScenarioLoader.load(LIBRARY.resolve(file)), nodes, labMissing);
    }

    @Test
    void theListenerDrillsRunOnOneBrokerAndTheKafkaDrillsOnThree() throws Exception {
        for (String f : new String[] {"primary-listener-crash.yaml", "secondary-listener-crash.yaml", "stress-10k.yaml"}) {
            assertThat(cannot(f, 1)).as(f).isNull();
        }
        for (String f : new String[] {"broker-leader-crash.yaml", "controller-failover.yaml", "controller-freeze.yaml",
                "kafka-leader-move.yaml", "kafka-quota.yaml", "kafka-min-isr.yaml", "kafka-group-churn.yaml"}) {
            assertThat(cannot(f, 3)).as(f).isNull();
            assertThat(cannot(f, 1)).as(f).endsWith(": add --brokers 3");
        }
    }

    @Test
    void theHostDrillsRunInALabOnOneBrokerWhereTheMachineCanBuildIt() throws Exception {
        for (String f : new String[] {"network-partition.yaml", "redis-outage.yaml", "redis-throttle.yaml"}) {
            assertThat(cannot(f, 1)).as(f).isNull();
            assertThat(cannot(f, 3)).as(f).endsWith("around its own single broker: drop --brokers");
            assertThat(cannot(f, 0)).as(f).endsWith("drop --bootstrap-servers");
        }
        assertThat(cannot("network-partition.yaml", 1, List.of("root"))).isEqualTo("step 'partition-primary' is a "
                + "network.partition fault, which needs its target on a host of its own, and the demo builds one "
                + "network namespace per host with root, ip and iptables, but this machine lacks root");
        assertThat(cannot("redis-outage.yaml", 1, List.of("redis-server"))).contains("and runs redis-server")
                .endsWith("lacks redis-server");
    }

    @Test
    void theOthersAreRefusedInOneSentenceThatSaysWhatTheyNeed() throws Exception {
        assertThat(cannot("pod-kill.yaml", 1)).isEqualTo("target 'cluster' wants the cluster agent "
                + "(role=cluster-agent), which deletes pods through a Kubernetes API, and the demo runs no Kubernetes; "
                + "install the chart (charts/faultline) and run it there with 'faultline run' or a gameDays CronJob");
        assertThat(cannot("kafka-streams-owner-crash.yaml", 3)).contains("Kafka Streams application (role=streams)");
        assertThat(cannot("smoke-and-rollback.yaml", 1)).contains("an HTTP API (role=api)");
    }

    @Test
    void everyLibraryScenarioEitherRunsInTheDemoOrIsRefusedSayingWhatItNeeds() throws Exception {
        try (var files = Files.list(LIBRARY)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String name = f.getFileName().toString();
                String one = cannot(name, 1);
                String three = cannot(name, 3);
                if (one != null && three != null) {
                    assertThat(one).as(name).matches("(target|step) '.*").contains("wants", "'faultline run'");
                }
            }
        }
    }

    @Test
    void theDemoSaysSoAndExitsTwoBeforeStartingAnything(@TempDir Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("demo", "--scenario", LIBRARY.resolve("pod-kill.yaml").toString(), "--report-dir",
                dir.toString());
        assertThat(exit).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("cannot run in the demo: target")
                .contains("wants the cluster agent (role=cluster-agent)")
                .doesNotContain("Exception");
        assertThat(out.toString()).doesNotContain("Starting");
    }
}

package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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
        return DemoCommand.cannotRunHere(ScenarioLoader.load(LIBRARY.resolve(file)), nodes);
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
    void theOthersAreRefusedInOneSentenceThatSaysWhatTheyNeed() throws Exception {
        assertThat(cannot("redis-outage.yaml", 3)).startsWith("target 'redis' wants agents labelled role=redis, and it "
                + "starts order listeners (role=listener)").endsWith("run it with 'faultline run' beside a system that "
                + "has them");
        assertThat(cannot("network-partition.yaml", 1)).startsWith("step 'partition-primary' is a network.partition "
                + "fault, which needs its target on a host of its own");
        assertThat(cannot("pod-kill.yaml", 1)).contains("role=cluster-agent");
        assertThat(cannot("kafka-streams-owner-crash.yaml", 1)).contains("role=streams");
    }

    @Test
    void theDemoSaysSoAndExitsTwoBeforeStartingAnything(@TempDir Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("demo", "--scenario", LIBRARY.resolve("redis-outage.yaml").toString(), "--report-dir",
                dir.toString());
        assertThat(exit).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("cannot run in the demo: target 'redis' wants agents labelled role=redis")
                .doesNotContain("Exception");
        assertThat(out.toString()).doesNotContain("Starting");
    }
}

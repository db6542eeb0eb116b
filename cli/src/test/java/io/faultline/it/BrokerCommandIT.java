package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.demo.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code faultline broker} as a user runs it: started, stopped with Ctrl-C, and what it leaves behind. */
class BrokerCommandIT {
    private static final Pattern LOG = Pattern.compile("Broker log: (\\S+)/broker\\.log");

    @Test
    void ctrlCStopsTheBrokerAndDeletesItsTemporaryData() throws Exception {
        Path work = Files.createTempDirectory("faultline-broker-it-");
        Path temporary = stopWithCtrlC(List.of("broker"), work.resolve("temporary.log"));
        assertThat(temporary).as("the temporary data directory").doesNotExist();
        // A directory given with --dir is the user's: nothing deletes it (BrokerCommand registers no hook then).
    }

    /** Starts the command, waits until the broker is up, sends SIGINT; returns its data directory. */
    private static Path stopWithCtrlC(List<String> args, Path log) throws Exception {
        Process p = ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx256m"), args, log);
        try {
            Matcher[] m = {null};
            await("the broker up").atMost(Duration.ofSeconds(90)).until(() -> {
                assertThat(p.isAlive()).as(Files.exists(log) ? Files.readString(log) : "no log").isTrue();
                Matcher found = LOG.matcher(Files.exists(log) ? Files.readString(log) : "");
                m[0] = found.find() ? found : null;
                return m[0] != null;
            });
            Path data = Path.of(m[0].group(1));
            assertThat(data.resolve("broker.log")).exists();
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped on Ctrl-C").isTrue();
            return data;
        } finally {
            p.destroyForcibly();
        }
    }
}

package io.faultline.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.testkit.HungMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pid file under a mount that never answers (a real FUSE file system whose lookups hang,
 * {@link HungMount}): the policy check gives up at its deadline instead of holding the
 * command loop, again and again while the mount stays hung.
 */
class HungMountIT {
    @TempDir
    Path dir;
    private HungMount hung;
    private Path mount;

    @BeforeEach
    void mountHungFileSystem() throws Exception {
        hung = HungMount.under(dir);
        mount = hung.path();
    }

    @AfterEach
    void unmount() throws Exception {
        if (hung != null) {
            hung.close();
        }
    }

    @Test
    void aPidFileUnderAHungMountIsRefusedAtTheDeadline() {
        AgentPolicy policy = new AgentPolicy(null, AgentPolicy.DEFAULT_MAX_LEASE, true, List.of(mount + "/**"),
                List.of(), List.of(), List.of(), false, false, List.of(), List.of(), List.of(), List.of(), null);
        ProcessKillFault stop = new ProcessKillFault(Signal.STOP, new ProcessSelector(mount + "/app/orders.pid", null),
                null);
        for (int i = 0; i < 2; i++) {
            String why = policy.violation(stop, Duration.ofSeconds(30), null);
            assertThat(why).isEqualTo("pid file " + mount + "/app/orders.pid: its directory did not resolve within 2s"
                    + " (a mount that does not answer?)");
        }
        assertThat(threadsWaitingOnFuse()).as("threads of this process waiting on the mount").isZero();
    }

    @Test
    void aFileUnderAHungMountIsNotReadAtTheDeadlineAndNoThreadOfOursWaitsThere() {
        PathResolver.Read read = PathResolver.readSmallFile(mount.resolve("app/orders.pid"), 32, Duration.ofSeconds(1));
        assertThat(read).isEqualTo(new PathResolver.ReadTimedOut(Duration.ofSeconds(1)));
        assertThat(threadsWaitingOnFuse()).as("threads of this process waiting on the mount").isZero();
    }

    /** Threads of this JVM asleep in the kernel on a FUSE request (a child may be; we must not). */
    private static long threadsWaitingOnFuse() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("wchan")).contains("fuse")
                            || Files.readString(t.resolve("wchan")).contains("request_wait_answer");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

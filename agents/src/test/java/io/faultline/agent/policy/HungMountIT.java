package io.faultline.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pid file under a mount that never answers (a real FUSE file system whose lookups hang, run
 * with Debian's python3-fusepy): the policy check gives up at its deadline instead of holding the
 * command loop, again and again while the mount stays hung.
 */
class HungMountIT {
    /** Debian's own Python, where python3-fusepy installs (not a python3 earlier on the PATH). */
    private static final String PYTHON = "/usr/bin/python3";
    @TempDir
    Path dir;
    private Path mount;
    private Process fs;

    @BeforeEach
    void mountHungFileSystem() throws Exception {
        boolean can = Files.exists(Path.of("/dev/fuse")) && new ProcessBuilder(PYTHON, "-c", "import fusepy")
                .start().waitFor() == 0;
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(can, "needs /dev/fuse and python3-fusepy (.ci/run installs them)");
        }
        mount = Files.createDirectories(dir.resolve("hung"));
        Path script = dir.resolve("hungfs.py");
        try (var in = Objects.requireNonNull(getClass().getResourceAsStream("/hungfs.py"))) {
            Files.copy(in, script);
        }
        fs = new ProcessBuilder(PYTHON, script.toString(), mount.toString()).inheritIO().start();
        await("the hung file system mounted").atMost(Duration.ofSeconds(20))
                .until(() -> Files.readString(Path.of("/proc/self/mounts")).contains(mount.toString()));
    }

    @AfterEach
    void unmount() throws Exception {
        if (fs != null) {
            // Killing the file system's process fails its pending lookups; then the mount goes.
            fs.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("fusermount3", "-u", "-z", mount.toString()).inheritIO().start().waitFor(10,
                    TimeUnit.SECONDS);
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
    }
}

package io.faultline.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A mount that never answers: a real FUSE file system (Debian's python3-fusepy) whose root is a
 * directory and whose every lookup below it hangs, as a dead NFS or FUSE server's does. Needs
 * /dev/fuse, fusepy and fusermount3: where one is missing the test is skipped with the reason,
 * except under CI=true, where it fails. Closing it kills the file system, which fails the lookups
 * still pending, and unmounts it.
 */
public final class HungMount implements AutoCloseable {
    /** Debian's own Python, where python3-fusepy installs (not a python3 earlier on the PATH). */
    private static final String PYTHON = "/usr/bin/python3";

    private final Path path;
    private final Process fs;

    private HungMount(Path path, Process fs) {
        this.path = path;
        this.fs = fs;
    }

    /** Mounts the hung file system at {@code dir}/hung and returns once the kernel lists it. */
    public static HungMount under(Path dir) throws IOException, InterruptedException {
        boolean can = Files.exists(Path.of("/dev/fuse"))
                && new ProcessBuilder(PYTHON, "-c", "import fusepy").start().waitFor() == 0;
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(can, "needs /dev/fuse and python3-fusepy (.ci/run installs them)");
        }
        Path mount = Files.createDirectories(dir.resolve("hung"));
        Path script = dir.resolve("hungfs.py");
        try (InputStream in = Objects.requireNonNull(HungMount.class.getResourceAsStream("/hungfs.py"))) {
            Files.copy(in, script);
        }
        Process fs = new ProcessBuilder(PYTHON, script.toString(), mount.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("hungfs.log").toFile()).start();
        HungMount m = new HungMount(mount, fs);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(Path.of("/proc/self/mounts")).contains(" " + mount + " ")) {
            if (!fs.isAlive() || System.nanoTime() > deadline) {
                m.close();
                throw new IOException("the hung file system did not mount at " + mount + " (see "
                        + dir.resolve("hungfs.log") + ")");
            }
            Thread.sleep(50);
        }
        return m;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        try {
            fs.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Process u = new ProcessBuilder("fusermount3", "-u", "-z", path.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!u.waitFor(10, TimeUnit.SECONDS)) {
                u.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

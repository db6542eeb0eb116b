package io.faultline.agent.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs an operating-system command given as an argv list (never a shell string). The one seam
 * through which drivers touch the host, so tests can assert the exact argv.
 */
public interface CommandRunner {
    Result run(List<String> argv) throws FaultException;

    /** Runs a command for its exit status only: true if it ran and exited 0. */
    default boolean runQuietly(List<String> argv) {
        try {
            return run(argv).ok();
        } catch (FaultException e) {
            return false;
        }
    }

    /** Processes this runner keeps running for itself, which no fault may pick. */
    default Set<Long> ownPids() {
        return Set.of();
    }

    /** Exit status and combined output of one command. */
    record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs commands as child processes, with a timeout. */
    CommandRunner SYSTEM = argv -> {
        Process p = null;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new FaultException(String.join(" ", argv) + ": timed out after 10 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new FaultException(argv.get(0) + ": cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            // The call's deadline passed: the command must not go on by itself.
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new FaultException(argv.get(0) + ": interrupted at its deadline");
        }
    };
}

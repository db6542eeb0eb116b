package io.faultline.agent.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resolves a directory as the kernel does ({@code toRealPath}) under a deadline, on a thread of its
 * own: a mount that does not answer (a hung FUSE or NFS server) must not hold the agent's command
 * loop, which also reads halts. A resolution stuck in the kernel keeps that one thread; those
 * after it wait their deadline and are refused until it comes back.
 */
public final class PathResolver {
    /** How long a policy check waits for the file system. */
    public static final Duration DEADLINE = Duration.ofSeconds(2);

    private static final ExecutorService FILES = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "policy-paths");
        t.setDaemon(true);
        return t;
    });

    private PathResolver() {
    }

    /** What resolving took: the real path, or why there is none. */
    public sealed interface Outcome {
    }

    /** The directory resolved. */
    public record Resolved(Path real) implements Outcome {
    }

    /** It does not exist, or cannot be read. */
    public record Missing() implements Outcome {
    }

    /** The file system did not answer within the deadline. */
    public record TimedOut(Duration deadline) implements Outcome {
    }

    public static Outcome realPath(Path dir) {
        return realPath(dir, DEADLINE);
    }

    static Outcome realPath(Path dir, Duration deadline) {
        Future<Path> f = FILES.submit(() -> dir.toRealPath());
        try {
            return new Resolved(f.get(deadline.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            f.cancel(true);
            return new TimedOut(deadline);
        } catch (ExecutionException e) {
            return new Missing();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TimedOut(deadline);
        }
    }
}

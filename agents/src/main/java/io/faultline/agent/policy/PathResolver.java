package io.faultline.agent.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * File-system calls on paths a command names (a pid file and its directory), made by a child
 * process under a deadline, never by a thread of the agent. On a mount that does not answer (a
 * hung FUSE or NFS server) a call waits in the kernel, and once the server holds the request no
 * signal ends that wait: a process with such a thread cannot exit, whatever it is sent, and its
 * descriptors (the state directory's lock among them) stay open. A child stuck so is killed at the
 * deadline and left to the kernel; it holds none of the agent's descriptors, so the agent still
 * obeys halts, undoes at SIGTERM and exits. Only where the child cannot be started (a host without
 * coreutils) is the call made on a thread of the agent's own, as a last resort.
 */
public final class PathResolver {
    /** How long a policy check waits for the file system. */
    public static final Duration DEADLINE = Duration.ofSeconds(2);
    /** More than any path or small file read here. */
    private static final int MAX_OUTPUT = 8192;

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

    /** What reading a small file took. */
    public sealed interface Read {
    }

    /** The file's first bytes (at most the limit asked for, plus one, so that a larger file shows). */
    public record Content(byte[] bytes) implements Read {
    }

    /** There is no such file. */
    public record NotFound() implements Read {
    }

    /** The last name is a symbolic link, or not a regular file ({@code kind} as stat(1) says it). */
    public record NotRegular(String kind) implements Read {
    }

    /** A regular file larger than the limit. */
    public record TooLarge(long size) implements Read {
    }

    /** It could not be read, in the words of the tool that tried. */
    public record Unreadable(String why) implements Read {
    }

    /** The file system did not answer within the deadline. */
    public record ReadTimedOut(Duration deadline) implements Read {
    }

    public static Outcome realPath(Path dir) {
        return realPath(dir, DEADLINE);
    }

    static Outcome realPath(Path dir, Duration deadline) {
        Child c = Child.run(deadline, "realpath", "-e", "-z", "--", dir.toString());
        if (c == null) {
            return realPathInThread(dir, deadline);
        }
        if (c.timedOut) {
            return new TimedOut(deadline);
        }
        String out = c.text();
        if (c.exit != 0 || out.isEmpty()) {
            return new Missing();
        }
        return new Resolved(Path.of(out.endsWith("\0") ? out.substring(0, out.length() - 1) : out));
    }

    /**
     * Reads a small regular file without following a symbolic link at its last name: its kind and
     * size first (lstat), then at most {@code max + 1} bytes, opened with O_NOFOLLOW and
     * O_NONBLOCK so that a link swapped in meanwhile is refused and a FIFO does not block. Each
     * step under {@code deadline}.
     */
    public static Read readSmallFile(Path file, int max, Duration deadline) {
        Child stat = Child.run(deadline, "stat", "-c", "%F/%s", "--", file.toString());
        if (stat == null) {
            return new Unreadable("stat(1) cannot be run on this host");
        }
        if (stat.timedOut) {
            return new ReadTimedOut(deadline);
        }
        String out = stat.text().strip();
        if (stat.exit != 0) {
            return out.contains("No such file") ? new NotFound() : new Unreadable(lastLine(out));
        }
        int slash = out.lastIndexOf('/');
        String kind = slash < 0 ? out : out.substring(0, slash);
        if (!kind.equals("regular file") && !kind.equals("regular empty file")) {
            return new NotRegular(kind);
        }
        long size;
        try {
            size = Long.parseLong(out.substring(slash + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return new Unreadable("stat(1) said " + out);
        }
        if (size > max) {
            return new TooLarge(size);
        }
        Child dd = Child.run(deadline, "dd", "if=" + file, "iflag=nofollow,nonblock", "bs=" + (max + 1), "count=1",
                "status=none");
        if (dd == null) {
            return new Unreadable("dd(1) cannot be run on this host");
        }
        if (dd.timedOut) {
            return new ReadTimedOut(deadline);
        }
        if (dd.exit != 0) {
            String why = lastLine(dd.text().strip());
            return why.contains("symbolic links") ? new NotRegular("symbolic link") : new Unreadable(why);
        }
        return new Content(dd.output);
    }

    private static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        String line = nl < 0 ? s : s.substring(nl + 1);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static Outcome realPathInThread(Path dir, Duration deadline) {
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

    /** One child's end: its exit status and output, or that it did not end within the deadline. */
    private static final class Child {
        boolean timedOut;
        int exit;
        byte[] output = new byte[0];

        String text() {
            return new String(output, StandardCharsets.UTF_8);
        }

        /** Runs {@code argv}; null when it cannot be started at all. */
        static Child run(Duration deadline, String... argv) {
            Process p;
            try {
                // stderr apart: a tool's complaint must not be taken for the file's bytes.
                p = new ProcessBuilder(List.of(argv)).redirectErrorStream(false).start();
            } catch (IOException e) {
                return null;
            }
            Child c = new Child();
            try {
                p.getOutputStream().close();
                if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    // Stuck in the kernel, maybe for good: killed, and left there; nothing of ours is open in it.
                    p.destroyForcibly();
                    c.timedOut = true;
                    return c;
                }
                c.exit = p.exitValue();
                c.output = readUpTo(c.exit == 0 ? p.getInputStream() : p.getErrorStream());
            } catch (IOException e) {
                c.exit = -1;
                c.output = e.getMessage() == null ? new byte[0] : e.getMessage().getBytes(StandardCharsets.UTF_8);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                c.timedOut = true;
            }
            return c;
        }

        private static byte[] readUpTo(InputStream in) throws IOException {
            try (in) {
                return in.readNBytes(MAX_OUTPUT);
            }
        }
    }
}

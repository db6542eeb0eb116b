package io.faultline.agent.driver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends signals without starting a process (JDK 17 cannot send STOP or CONT itself): by kill(2)
 * from this process ({@link LibcKill}) where libc can be bound, otherwise through one resident
 * {@code /bin/sh} and its builtin {@code kill}, a round trip over a pipe. Every other command,
 * and every signal while neither can be had, goes to the fallback runner unchanged. The shell is
 * started only when it is needed, is the agent's child and exits when its standard input closes,
 * so it never outlives the agent.
 */
public final class SignalShell implements CommandRunner, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalShell.class);
    private static final Pattern SIGNAL = Pattern.compile("[A-Z0-9]{1,8}");
    private static final Pattern PID = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern SHELL_PREFIX = Pattern.compile("^/bin/sh: [0-9]+: ");
    private static final String DONE = "#faultline-rc ";
    private static final long TIMEOUT_MS = 5_000;

    /** One for all shells in this JVM: it only ever kills a shell that stopped answering. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faultline-signal-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final CommandRunner fallback;
    private final boolean libc;
    private Process shell;
    private Writer in;
    private BufferedReader out;
    private boolean closed;

    /** By kill(2) where it can be called; otherwise the shell starts now, so that the first fault does not pay for it. */
    public SignalShell(CommandRunner fallback) {
        this(fallback, LibcKill.bound());
    }

    /** {@code libc} false: every signal through the shell. */
    SignalShell(CommandRunner fallback, boolean libc) {
        this.fallback = fallback;
        this.libc = libc;
        if (!libc) {
            synchronized (this) {
                ensureShell();
            }
        }
    }

    @Override
    public Result run(List<String> argv) throws FaultException {
        if (argv.size() == 4 && argv.get(0).equals("kill") && argv.get(1).equals("-s")
                && SIGNAL.matcher(argv.get(2)).matches() && PID.matcher(argv.get(3)).matches()) {
            long pid = Long.parseLong(argv.get(3));
            if (libc && LibcKill.sends(argv.get(2), pid)) {
                return LibcKill.send(argv.get(2), pid);
            }
            Result r = signal(argv.get(2), argv.get(3));
            if (r != null) {
                return r;
            }
        }
        return fallback.run(argv);
    }

    /** The shell's pid while it runs: a process fault must never pick it. */
    @Override
    public synchronized Set<Long> ownPids() {
        return shell != null && shell.isAlive() ? Set.of(shell.pid()) : Set.of();
    }

    /** The builtin's exit status and message, or null when no shell could be had. */
    private synchronized Result signal(String name, String pid) throws FaultException {
        if (closed || !ensureShell()) {
            return null;
        }
        Process current = shell;
        ScheduledFuture<?> timer = WATCHDOG.schedule(current::destroyForcibly, TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try {
            in.write("kill -s " + name + " " + pid + " 2>&1; echo \"" + DONE + "$?\"\n");
            in.flush();
            StringBuilder message = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(DONE)) {
                    return new Result(Integer.parseInt(line.substring(DONE.length()).strip()), message.toString().strip());
                }
                message.append(SHELL_PREFIX.matcher(line).replaceFirst("")).append('\n');
            }
            throw new IOException("the signal shell exited");
        } catch (IOException | NumberFormatException e) {
            stopShell();
            if (!timer.cancel(false)) {
                throw new FaultException("kill -s " + name + " " + pid + ": no answer from the signal shell within "
                        + TIMEOUT_MS + " ms");
            }
            log.warn("signal shell failed ({}); signalling pid {} with a new process instead", e.getMessage(), pid);
            return null;
        } finally {
            timer.cancel(false);
        }
    }

    private boolean ensureShell() {
        if (shell != null && shell.isAlive()) {
            return true;
        }
        try {
            shell = new ProcessBuilder("/bin/sh").redirectErrorStream(true).start();
            in = new OutputStreamWriter(shell.getOutputStream(), StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
            // A Ctrl-C in the agent's terminal reaches the whole process group; the shell stays for the undo.
            in.write("trap '' INT QUIT TSTP TTIN TTOU\n");
            in.flush();
            return true;
        } catch (IOException e) {
            log.warn("cannot start /bin/sh for signals ({}); each signal starts kill(1)", e.getMessage());
            shell = null;
            return false;
        }
    }

    private void stopShell() {
        if (shell != null) {
            shell.destroyForcibly();
            shell = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (shell != null) {
            try {
                in.close();
            } catch (IOException e) {
                // It is being killed anyway.
            }
            stopShell();
        }
    }
}

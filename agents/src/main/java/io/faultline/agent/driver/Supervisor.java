package io.faultline.agent.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service an agent started with {@code --exec} runs as, like a container beside a sidecar:
 * the agent starts it, knows its pid, restarts it when a heal asks for it, and stops it when the
 * agent stops. Its pid and start time are kept in the state directory, so an agent that was
 * killed adopts the service it left running instead of starting a second one, and never adopts
 * an unrelated process that reuses the pid (after a reboot, say): the start time must match too.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final List<String> command;
    private final Path pidFile;
    private final Path logFile;
    private ProcessHandle current;
    private boolean stopping;

    public Supervisor(List<String> command, Path stateDir) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("--exec needs a command after --");
        }
        this.command = List.copyOf(command);
        this.pidFile = stateDir.resolve("service.pid");
        this.logFile = stateDir.resolve("service.log");
    }

    /** Adopts the service a predecessor left running, or starts it. */
    public synchronized String start() throws FaultException {
        Optional<ProcessHandle> left = leftRunning();
        if (left.isPresent()) {
            current = left.get();
            log.info("adopted the service left running: pid {}", current.pid());
            return "adopted pid " + current.pid();
        }
        return launch();
    }

    private Optional<ProcessHandle> leftRunning() {
        String[] recorded;
        try {
            if (!Files.isRegularFile(pidFile, LinkOption.NOFOLLOW_LINKS) || Files.size(pidFile) > 64) {
                return Optional.empty();
            }
            recorded = Files.readString(pidFile).strip().split("\\s+");
        } catch (IOException e) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(recorded[0]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (recorded.length < 2) {
            log.warn("{} records pid {} without its start time; not adopting it", pidFile, pid);
            return Optional.empty();
        }
        Optional<ProcessHandle> alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (alive.isEmpty()) {
            return Optional.empty();
        }
        String started = startTime(alive.get());
        if (!recorded[1].equals(started)) {
            log.warn("pid {} is not the service this agent started (started {}, recorded {}): a reused pid; not adopted",
                    pid, started, recorded[1]);
            return Optional.empty();
        }
        return alive.filter(p -> p.info().command().map(c -> c.endsWith(Path.of(command.get(0)).getFileName().toString()))
                .orElse(false));
    }

    /** The process's start, as recorded beside its pid: epoch milliseconds, or "unknown". */
    static String startTime(ProcessHandle p) {
        return p.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("unknown");
    }

    private String launch() throws FaultException {
        try {
            Files.createDirectories(pidFile.getParent());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            current = p.toHandle();
            Files.writeString(pidFile, p.pid() + " " + startTime(p.toHandle()) + "\n");
            log.info("started the service: pid {} ({})", p.pid(), String.join(" ", command));
            return "started pid " + p.pid();
        } catch (IOException e) {
            throw new FaultException("cannot start the service " + command + ": " + e.getMessage());
        }
    }

    /** The service's pid while it runs. */
    public synchronized Optional<Long> pid() {
        return current != null && current.isAlive() ? Optional.of(current.pid()) : Optional.empty();
    }

    /** Starts the service again if it is not running; returns what was done. */
    public synchronized String restart() throws FaultException {
        if (stopping) {
            return "the agent is stopping: the service is not restarted";
        }
        if (current != null && current.isAlive()) {
            return "the service is still running (pid " + current.pid() + "), not restarted";
        }
        return "restarted the service: " + launch();
    }

    /** Stops the service (TERM, then KILL after 10 s). */
    public synchronized void stop() {
        stopping = true;
        if (current == null || !current.isAlive()) {
            return;
        }
        current.destroy();
        try {
            current.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            current.destroyForcibly();
        }
    }
}

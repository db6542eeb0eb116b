package io.faultline.agent.driver;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.faultline.agent.policy.PathResolver;
import io.faultline.protocol.Durations;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.Collectors;

/**
 * Executes {@code process.kill}: sends KILL, TERM or STOP to local processes chosen by pid file,
 * by command-line pattern, or the agent's own service. Undoing STOP sends CONT; a killed process
 * stays dead (restarting it is the job of whatever supervises it).
 */
public final class ProcessKillDriver implements FaultDriver<ProcessKillFault> {
    /** This process and its ancestors when the class was loaded: see {@link #selfOrAncestor}. */
    private static final Set<Long> ANCESTORS_AT_START = Set.copyOf(selfAndAncestors());
    private final CommandRunner runner;
    private final Path servicePidFile;
    private final Supervisor supervisor;

    /**
     * @param servicePidFile the pid file of the service this agent sits beside, or null when it
     *                       has none; used when a fault names no process
     */
    public ProcessKillDriver(CommandRunner runner, Path servicePidFile) {
        this(runner, servicePidFile, null);
    }

    /** @param supervisor the service this agent runs ({@code --exec}); it wins over the pid file */
    public ProcessKillDriver(CommandRunner runner, Path servicePidFile, Supervisor supervisor) {
        this.runner = runner;
        this.servicePidFile = servicePidFile;
        this.supervisor = supervisor;
    }

    @Override
    public Class<ProcessKillFault> faultClass() {
        return ProcessKillFault.class;
    }

    @Override
    public String faultType() {
        return ProcessKillFault.TYPE;
    }

    /** A signal's effect goes with the host; a restart of the service, the undo of a kill with {@code restart}, does not. */
    @Override
    public boolean diesWithHost(ProcessKillFault fault) {
        return fault.restart() == null;
    }

    @Override
    public Applied apply(String commandId, ProcessKillFault fault) throws FaultException {
        if (fault.restarts() && supervisor == null) {
            throw new FaultException("restart: true needs an agent that runs its service (faultline agent --exec -- CMD)");
        }
        List<Long> pids = resolve(fault.process());
        for (long pid : pids) {
            send(fault.signal().name(), pid);
        }
        String detail = "sent " + fault.signal() + " to pid " + join(pids);
        return Applied.of(detail, () -> {
            if (fault.restarts()) {
                return supervisor.restart();
            }
            if (!fault.signal().reversible()) {
                return "nothing to undo: " + fault.signal() + " cannot be reverted";
            }
            List<Long> alive = pids.stream().filter(p -> ProcessHandle.of(p).isPresent()).toList();
            for (long pid : alive) {
                send("CONT", pid);
            }
            return alive.isEmpty() ? "nothing to undo: pid " + join(pids) + " exited"
                    : "sent CONT to pid " + join(alive);
        });
    }

    @Override
    public String recover(String commandId, ProcessKillFault fault) throws FaultException {
        if (fault.restarts() && supervisor != null) {
            return supervisor.restart();
        }
        if (!fault.signal().reversible()) {
            return "nothing to undo: " + fault.signal() + " cannot be reverted";
        }
        List<Long> pids;
        try {
            pids = resolve(fault.process());
        } catch (FaultException e) {
            return "nothing to undo: " + e.getMessage();
        }
        for (long pid : pids) {
            send("CONT", pid);
        }
        return "sent CONT to pid " + join(pids);
    }

    /** Safe mode: CONT to this agent's own service, the one process it may have left stopped without a record. */
    @Override
    public String sweep() throws FaultException {
        if (supervisor == null && servicePidFile == null) {
            return null;
        }
        List<Long> pids;
        try {
            pids = resolve(ProcessSelector.SERVICE);
        } catch (FaultException e) {
            return "nothing to undo: " + e.getMessage();
        }
        for (long pid : pids) {
            send("CONT", pid);
        }
        return "sent CONT to the service, pid " + join(pids);
    }

    /** Whether this agent sits beside a service: one it runs ({@code --exec}) or one named by a pid file. */
    public boolean watchesService() {
        return supervisor != null || servicePidFile != null;
    }

    /** The service's pid while it runs; empty when it does not run (or the agent has none). */
    public Optional<Long> servicePid() {
        if (!watchesService()) {
            return Optional.empty();
        }
        try {
            return Optional.of(resolve(ProcessSelector.SERVICE).get(0));
        } catch (FaultException e) {
            return Optional.empty();
        }
    }

    private void send(String name, long pid) throws FaultException {
        CommandRunner.Result r = runner.run(List.of("kill", "-s", name, Long.toString(pid)));
        if (!r.ok()) {
            throw new FaultException("kill -s " + name + " " + pid + " failed (exit " + r.exitCode() + "): " + r.output());
        }
    }

    /** How this driver finds processes, for a network fault in the namespace of one ({@code netnsOf}). */
    public TargetNetns.Processes processes() {
        return this::resolve;
    }

    List<Long> resolve(ProcessSelector selector) throws FaultException {
        if (selector.isService() && supervisor != null) {
            return List.of(supervisor.pid().orElseThrow(() -> new FaultException("the supervised service is not running")));
        }
        if (selector.isService()) {
            if (servicePidFile == null) {
                throw new FaultException("the fault names no process and this agent has no service pid file "
                        + "(start it with --service-pid-file)");
            }
            return List.of(readPidFile(servicePidFile, runner));
        }
        if (selector.pidFile() != null) {
            return List.of(readNamedPidFile(Path.of(selector.pidFile()), runner));
        }
        // RE2/J: matching takes time linear in the command line, whatever the pattern.
        Pattern pattern;
        try {
            pattern = Pattern.compile(selector.commandLine());
        } catch (PatternSyntaxException e) {
            throw new FaultException("command-line pattern /" + selector.commandLine() + "/ is not a valid regular "
                    + "expression: " + e.getDescription());
        }
        Set<Long> own = runner.ownPids();
        List<Long> pids = new ArrayList<>();
        Optional<ProcessHandle> service = serviceHandle();
        // Beside a service, a pattern picks among the service's own processes only; otherwise
        // among the host's, never the agent's own.
        (service.isPresent() ? Stream.concat(Stream.of(service.get()), service.get().descendants())
                : ProcessHandle.allProcesses())
                .filter(p -> !own.contains(p.pid()) && !selfOrAncestor(p.pid()))
                .filter(p -> commandLine(p).map(c -> pattern.matcher(c).find()).orElse(false))
                .forEach(p -> pids.add(p.pid()));
        String where = service.isPresent() ? " among the service's processes (pid " + service.get().pid()
                + " and its descendants)" : "";
        if (pids.isEmpty()) {
            throw new FaultException("no process's command line matches /" + selector.commandLine() + "/" + where);
        }
        if (pids.size() > selector.maxProcesses()) {
            throw new FaultException("command-line pattern /" + selector.commandLine() + "/ matches " + pids.size()
                    + " processes" + where + " (" + describe(pids) + "), more than the " + selector.maxProcesses()
                    + " the command allows: narrow the pattern, or set process.max");
        }
        return pids;
    }

    /** The service this agent sits beside, when it has one that runs now. */
    private Optional<ProcessHandle> serviceHandle() {
        try {
            if (supervisor != null) {
                return supervisor.pid().flatMap(ProcessHandle::of);
            }
            return servicePidFile == null ? Optional.empty() : ProcessHandle.of(readPidFile(servicePidFile, runner));
        } catch (FaultException e) {
            return Optional.empty();
        }
    }

    /** Pids with the start of their command lines, for a refusal or a preview. */
    private static String describe(List<Long> pids) {
        List<String> out = new ArrayList<>();
        for (long pid : pids.subList(0, Math.min(10, pids.size()))) {
            String cmd = ProcessHandle.of(pid).flatMap(ProcessKillDriver::commandLine).orElse("?");
            out.add(pid + " " + (cmd.length() > 60 ? cmd.substring(0, 60) + "..." : cmd));
        }
        return String.join("; ", out) + (pids.size() > 10 ? "; and " + (pids.size() - 10) + " more" : "");
    }

    /** For a dry run: the processes the fault would signal, with their command lines. */
    @Override
    public String preview(ProcessKillFault fault) throws FaultException {
        List<Long> pids = resolve(fault.process());
        return "would send " + fault.signal() + " to pid " + describe(pids);
    }

    /**
     * The full command line, from /proc where there is one: the JDK's own view gives up on long
     * command lines, such as a Java service's class path.
     */
    static Optional<String> commandLine(ProcessHandle p) {
        Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            byte[] raw = Files.readAllBytes(proc);
            if (raw.length > 0) {
                String s = new String(raw, StandardCharsets.UTF_8);
                return Optional.of(s.replace('\0', ' ').strip());
            }
        } catch (IOException e) {
            // Gone, or no /proc: fall back.
        }
        return p.info().commandLine();
    }

    /** Longer than any pid file: a pid and a newline. */
    static final int MAX_PID_FILE = 32;

    /**
     * Reads a pid file without following a symbolic link at its last component, and only if it
     * is a small regular file: a FIFO would block the agent, a device never end, a link lead
     * outside the policy.
     */
    static long readPidFile(Path file, CommandRunner runner) throws FaultException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new FaultException("pid file " + file + " does not exist");
        } catch (IOException e) {
            throw new FaultException("cannot read pid file " + file + ": " + e.getMessage());
        }
        if (attrs.isSymbolicLink()) {
            throw new FaultException("pid file " + file + " is a symbolic link; name the file itself");
        }
        if (!attrs.isRegularFile()) {
            throw new FaultException("pid file " + file + " is not a regular file");
        }
        if (attrs.size() > MAX_PID_FILE) {
            throw new FaultException("pid file " + file + " is " + attrs.size() + " bytes, too large to hold a pid");
        }
        String text;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            text = new String(in.readNBytes(MAX_PID_FILE + 1), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new FaultException("cannot read pid file " + file + ": " + e.getMessage());
        }
        return pidIn(file, text, runner);
    }

    /**
     * Reads a pid file a command names, as {@link #readPidFile} does but by a child process under a
     * deadline ({@link PathResolver#readSmallFile}): the file may lie on a mount that does not answer,
     * and no thread of the agent may wait on one, or the agent could never exit.
     */
    static long readNamedPidFile(Path file, CommandRunner runner) throws FaultException {
        PathResolver.Read read = PathResolver.readSmallFile(file, MAX_PID_FILE, PathResolver.DEADLINE);
        if (read instanceof PathResolver.NotFound) {
            throw new FaultException("pid file " + file + " does not exist");
        }
        if (read instanceof PathResolver.NotRegular n) {
            throw new FaultException(n.kind().equals("symbolic link")
                    ? "pid file " + file + " is a symbolic link; name the file itself"
                    : "pid file " + file + " is not a regular file (" + n.kind() + ")");
        }
        if (read instanceof PathResolver.TooLarge t) {
            throw new FaultException("pid file " + file + " is " + t.size() + " bytes, too large to hold a pid");
        }
        if (read instanceof PathResolver.ReadTimedOut t) {
            throw new FaultException("pid file " + file + " could not be read within " + Durations.format(t.deadline())
                    + " (a mount that does not answer?)");
        }
        if (read instanceof PathResolver.Unreadable u) {
            throw new FaultException("cannot read pid file " + file + ": " + u.why());
        }
        byte[] bytes = ((PathResolver.Content) read).bytes();
        return pidIn(file, new String(bytes, StandardCharsets.US_ASCII).strip(), runner);
    }

    private static long pidIn(Path file, String text, CommandRunner runner) throws FaultException {
        if (text.length() > MAX_PID_FILE) {
            throw new FaultException("pid file " + file + " is too large to hold a pid");
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new FaultException("pid file " + file + " does not hold a pid");
        }
        if (pid <= 1 || ProcessHandle.of(pid).isEmpty()) {
            throw new FaultException("pid " + pid + " from " + file + " is not running");
        }
        if (selfOrAncestor(pid) || runner.ownPids().contains(pid)) {
            throw new FaultException("pid " + pid + " from " + file + " is the agent itself or its parent");
        }
        return pid;
    }

    /**
     * Whether {@code pid} is this process or one of its ancestors now. Ancestors are only ever lost,
     * never gained: a process whose parent dies is adopted by a subreaper above it or by its
     * namespace's init, both ancestors already. So a pid that was not among them at start is not
     * one now, and only a pid that was (a few, on a command's path almost never) costs a walk up
     * {@code /proc}, which settles it exactly, a reused pid included.
     */
    static boolean selfOrAncestor(long pid) {
        return ANCESTORS_AT_START.contains(pid) && selfAndAncestors().contains(pid);
    }

    private static Set<Long> selfAndAncestors() {
        Set<Long> pids = new HashSet<>();
        for (ProcessHandle p = ProcessHandle.current(); p != null; p = p.parent().orElse(null)) {
            pids.add(p.pid());
        }
        return pids;
    }

    private static String join(List<Long> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}

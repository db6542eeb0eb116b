package io.faultline.agent.driver;

import io.faultline.agent.journal.PriorStore;
import io.faultline.protocol.ProcessSelector;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network namespace of another process, where a network fault with {@code netnsOf} is put
 * (a pod's, from a node agent in the host's namespaces). The process is resolved as
 * {@code process.kill} resolves its target, under the same policy; its namespace is named by its
 * inode, which is recorded and forced to disk before anything is applied. Undo, recovery after a
 * crash and the safe-mode sweep find the namespace again by that inode (through any process still
 * in it, or an {@code ip netns} name), so a restarted pod process or a reused pid never sends an
 * undo into the wrong namespace; a namespace that is gone took the fault with it. Commands run
 * inside through {@code nsenter --net=PATH --}, argv lists as always.
 */
public final class TargetNetns {
    private static final Pattern NET_LINK = Pattern.compile("net:\\[(\\d{1,20})]");

    /** What a fault entered: the namespace's inode (its identity while it lives) and the process it was found through. */
    public record Entered(long inode, long pid) {
        String describe() {
            return "the network namespace net:[" + inode + "] of pid " + pid;
        }
    }

    /** Resolves a process selector to pids, as the process driver does for its own faults. */
    @FunctionalInterface
    public interface Processes {
        List<Long> resolve(ProcessSelector selector) throws FaultException;
    }

    /** The part of a fault put in place inside a namespace, with {@code own} true when it is the agent's own. */
    @FunctionalInterface
    interface InsideApply {
        FaultDriver.Applied apply(CommandRunner inside, boolean own) throws FaultException;
    }

    /** Takes a fault's part away inside a namespace; returns what was done. */
    @FunctionalInterface
    interface InsideUndo {
        String undo(CommandRunner inside) throws FaultException;
    }

    private final CommandRunner runner;
    private final Processes processes;
    private final PriorStore<Entered> store;
    private final Path proc;
    private final Path named;

    /** @param stateDir the agent's state directory, where each entered namespace is recorded before apply */
    public TargetNetns(CommandRunner runner, Processes processes, Path stateDir) {
        this(runner, processes, stateDir, Path.of("/proc"), Path.of("/run/netns"));
    }

    TargetNetns(CommandRunner runner, Processes processes, Path stateDir, Path proc, Path named) {
        this.runner = runner;
        this.processes = processes;
        this.store = new PriorStore<>(stateDir.resolve("netns"), Entered.class);
        this.proc = proc;
        this.named = named;
    }

    /**
     * Applies {@code apply} inside the namespace of the process {@code selector} names, recorded for
     * {@code commandId} first; the returned fault is undone by {@code undo} inside the same
     * namespace, found again by its inode.
     */
    FaultDriver.Applied apply(String commandId, ProcessSelector selector, InsideApply apply, InsideUndo undo)
            throws FaultException {
        List<Long> pids = processes.resolve(selector);
        if (pids.size() != 1) {
            throw new FaultException("netnsOf names " + pids.size() + " processes " + pids + "; it must name one");
        }
        long pid = pids.get(0);
        Entered e = new Entered(inodeOf(proc.resolve(Long.toString(pid)).resolve("ns").resolve("net"))
                .orElseThrow(() -> new FaultException("cannot read the network namespace of pid " + pid
                        + " (it exited, or the agent does not share the host's PID namespace)")), pid);
        try {
            store.save(commandId, e);
        } catch (IOException ex) {
            throw new FaultException("cannot record " + e.describe() + " before entering it: " + ex.getMessage());
        }
        FaultDriver.Applied inside;
        try {
            inside = apply.apply(enter(locate(e).orElseThrow(() -> new FaultException(e.describe()
                    + " went away before the fault was put in"))), own(e));
        } catch (FaultException ex) {
            forgetQuietly(commandId);
            throw ex;
        }
        String detail = inside.detail() + " in " + e.describe();
        return FaultDriver.Applied.of(detail, () -> undoInside(commandId, e, undo));
    }

    /** Undoes, after a crash, what was applied for {@code commandId}, from the recorded namespace. */
    String recover(String commandId, InsideUndo undo) throws FaultException {
        Optional<Entered> e;
        try {
            e = store.load(commandId);
        } catch (IOException ex) {
            throw new FaultException("cannot read which namespace " + commandId + " entered: " + ex.getMessage());
        }
        if (e.isEmpty()) {
            return "nothing to undo: no network namespace was recorded for it, so nothing was put in one";
        }
        return undoInside(commandId, e.get(), undo);
    }

    /**
     * Safe mode: {@code undo} inside every namespace still recorded, whatever the command; returns
     * what was done, or null when none is recorded.
     */
    String sweep(InsideUndo undo) throws FaultException {
        List<String> done = new ArrayList<>();
        try {
            for (String id : store.commandIds()) {
                Optional<Entered> e = store.load(id);
                if (e.isPresent()) {
                    done.add(undoInside(id, e.get(), undo));
                }
            }
        } catch (IOException ex) {
            throw new FaultException("cannot read the recorded network namespaces: " + ex.getMessage());
        }
        return done.isEmpty() ? null : String.join("; ", done);
    }

    private String undoInside(String commandId, Entered e, InsideUndo undo) throws FaultException {
        Optional<Path> where = locate(e);
        Path original = proc.resolve(Long.toString(e.pid())).resolve("ns").resolve("net");
        String done = where.isEmpty() ? e.describe() + " is gone, and what the fault put there went with it"
                : undo.undo(enter(where.get())) + " in " + e.describe()
                        + (where.get().equals(original) ? "" : " (entered through " + where.get() + ")");
        forgetQuietly(commandId);
        return done;
    }

    private void forgetQuietly(String commandId) {
        try {
            store.remove(commandId);
        } catch (IOException ex) {
            // A stale record is harmless: undoing in a namespace again finds nothing of the command's.
        }
    }

    /** A runner whose commands run inside the namespace at {@code path}. */
    private CommandRunner enter(Path path) {
        return new CommandRunner() {
            @Override
            public Result run(List<String> argv) throws FaultException {
                List<String> a = new ArrayList<>(List.of("nsenter", "--net=" + path, "--"));
                a.addAll(argv);
                return runner.run(a);
            }

            @Override
            public Set<Long> ownPids() {
                return runner.ownPids();
            }
        };
    }

    private boolean own(Entered e) {
        return inodeOf(proc.resolve("self").resolve("ns").resolve("net")).map(i -> i == e.inode()).orElse(false);
    }

    /**
     * Where the namespace can be entered: its process if it still holds it, else any process in it,
     * else an {@code ip netns} name bound to it; empty when it is gone.
     */
    Optional<Path> locate(Entered e) {
        Path first = proc.resolve(Long.toString(e.pid())).resolve("ns").resolve("net");
        if (inodeOf(first).map(i -> i == e.inode()).orElse(false)) {
            return Optional.of(first);
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path p : all) {
                Path ns = p.resolve("ns").resolve("net");
                if (inodeOf(ns).map(i -> i == e.inode()).orElse(false)) {
                    return Optional.of(ns);
                }
            }
        } catch (IOException ex) {
            // No process table to search: try the named namespaces.
        }
        if (Files.isDirectory(named)) {
            try (DirectoryStream<Path> all = Files.newDirectoryStream(named)) {
                for (Path p : all) {
                    Object ino = Files.getAttribute(p, "unix:ino");
                    if (ino instanceof Long l && l == e.inode()) {
                        return Optional.of(p);
                    }
                }
            } catch (IOException | UnsupportedOperationException ex) {
                // Nothing more to search.
            }
        }
        return Optional.empty();
    }

    /** The inode a {@code /proc/PID/ns/net} link names ({@code net:[N]}); empty when it cannot be read. */
    static Optional<Long> inodeOf(Path link) {
        try {
            Matcher m = NET_LINK.matcher(Files.readSymbolicLink(link).toString());
            return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}

package io.faultline.agent.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's write-ahead record of what it must undo. An {@code apply} entry is on disk (fsync)
 * before the fault is applied and an {@code undone} entry is written once it is gone, so an agent
 * killed mid-fault finds its leftovers at the next start. One agent per state directory: the
 * journal holds a file lock while open.
 */
public final class UndoJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UndoJournal.class);
    static final String FILE = "undo-journal.jsonl";
    private static final String LOCK = "agent.lock";

    /** One line of the journal. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String op, String commandId, String runId, FaultSpec fault, Instant notAfter, Instant at,
                        Long pid) {
        static final String APPLY = "apply";
        static final String UNDONE = "undone";
    }

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<String, Entry> applies = new LinkedHashMap<>();
    private final Set<String> undone = new java.util.HashSet<>();
    private final int unreadable;
    private FileChannel out;

    private UndoJournal(Path dir, FileChannel lockChannel, FileLock lock) throws IOException {
        this.file = dir.resolve(FILE);
        this.lockChannel = lockChannel;
        this.lock = lock;
        int bad = 0;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Entry e = Json.decode(line, Entry.class);
                    if (Entry.APPLY.equals(e.op())) {
                        applies.put(e.commandId(), e);
                    } else if (Entry.UNDONE.equals(e.op())) {
                        undone.add(e.commandId());
                    }
                } catch (Json.JsonCodecException e) {
                    // A line torn by a crash mid-write, most likely the last one.
                    bad++;
                }
            }
        }
        this.unreadable = bad;
        if (bad > 0) {
            log.warn("{}: skipped {} unreadable line(s)", file, bad);
        }
        this.out = append();
    }

    /** Opens (creating if needed) the journal in {@code dir}; fails if another agent holds it. */
    public static UndoJournal open(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("state directory " + dir + " is in use by another agent");
        }
        return new UndoJournal(dir, ch, lock);
    }

    private FileChannel append() throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    public Path file() {
        return file;
    }

    /** Lines that could not be read when the journal was opened. */
    public int unreadableLines() {
        return unreadable;
    }

    /** Faults an earlier run applied and never recorded as undone, oldest first. */
    public synchronized List<Entry> leftovers() {
        return applies.values().stream().filter(e -> !undone.contains(e.commandId())).toList();
    }

    /** Ids of recorded commands that an agent must still refuse as replays at {@code now}. */
    public synchronized Set<String> unexpiredCommandIds(Instant now) {
        return applies.values().stream().filter(e -> e.notAfter() != null && e.notAfter().isAfter(now))
                .map(Entry::commandId).collect(Collectors.toSet());
    }

    /** Written and forced to disk before the fault is applied. */
    public synchronized void applying(ApplyCommand c, Instant at) throws IOException {
        Entry e = new Entry(Entry.APPLY, c.commandId(), c.runId(), c.fault(), c.notAfter(), at,
                ProcessHandle.current().pid());
        write(e);
        applies.put(c.commandId(), e);
    }

    /** The fault is gone (undone, or its apply failed and left nothing). */
    public synchronized void undone(String commandId, Instant at) throws IOException {
        if (!applies.containsKey(commandId) || undone.contains(commandId)) {
            return;
        }
        write(new Entry(Entry.UNDONE, commandId, null, null, null, at, null));
        undone.add(commandId);
    }

    /**
     * Rewrites the journal with only what still matters at {@code now}: faults not yet undone, and
     * undone ones whose command could still be replayed.
     */
    public synchronized void compact(Instant now) throws IOException {
        StringBuilder text = new StringBuilder();
        Map<String, Entry> keep = new LinkedHashMap<>();
        for (Entry e : applies.values()) {
            boolean open = !undone.contains(e.commandId());
            boolean replayable = e.notAfter() != null && e.notAfter().isAfter(now);
            if (open || replayable) {
                keep.put(e.commandId(), e);
                text.append(new String(Json.encode(e), StandardCharsets.UTF_8)).append('\n');
                if (!open) {
                    text.append(new String(Json.encode(new Entry(Entry.UNDONE, e.commandId(), null, null, null, now,
                            null)), StandardCharsets.UTF_8)).append('\n');
                }
            }
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        out.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        applies.keySet().retainAll(keep.keySet());
        undone.retainAll(keep.keySet());
        out = append();
    }

    private void write(Entry e) throws IOException {
        byte[] line = (new String(Json.encode(e), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        out.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
        lock.release();
        lockChannel.close();
    }
}

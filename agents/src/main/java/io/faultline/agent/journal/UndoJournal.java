package io.faultline.agent.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's write-ahead record of what it must undo. An {@code apply} record is on disk (fsync)
 * before the fault is applied and an {@code undone} record is written once it is gone, so an agent
 * killed mid-fault finds its leftovers at the next start. One agent per state directory: the
 * journal holds a file lock while open.
 *
 * <p>Format: a sequence of records, each {@code "FLJ1"}, a 4-byte big-endian payload length, the
 * payload's CRC-32C, and the payload (one JSON entry). A reader that meets a record it cannot read
 * (torn by a crash or a full disk, bit rot, invalid UTF-8) counts it and scans forward to the next
 * record start whose checksum holds, so a damaged record never swallows the one after it. A
 * journal with unreadable records is never compacted: it is moved aside, whole, for the operator,
 * and the agent starts in safe mode (see {@link #damaged()}).
 *
 * <p>A state directory that cannot be written (read-only, full, missing permissions) does not
 * keep the agent down: the journal opens {@linkplain #writable() unwritable}, reads what it can,
 * and every {@link #applying} fails, so no fault is applied that could not be undone later.
 */
public final class UndoJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UndoJournal.class);
    static final String FILE = "undo-journal.log";
    private static final String LOCK = "agent.lock";
    static final byte[] MAGIC = {'F', 'L', 'J', '1'};
    private static final int HEADER = 12;
    /** No entry comes near this; a length beyond it is damage. */
    static final int MAX_RECORD = 64 * 1024;
    /** A journal is compacted at every start; one this large is damage, and only its first part is read. */
    static final long MAX_FILE = 64L * 1024 * 1024;

    /** One entry of the journal. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String op, String commandId, String runId, FaultSpec fault, Instant notAfter, Instant at,
                        Long pid) {
        static final String APPLY = "apply";
        static final String UNDONE = "undone";
    }

    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<String, Entry> applies = new LinkedHashMap<>();
    private final Set<String> undone = new HashSet<>();
    /** Applies of faults that die with the host: written, not forced, and so are their undone records. */
    private final Set<String> unforced = new HashSet<>();
    private final int unreadable;
    private final String unwritable;
    private FileChannel out;

    private UndoJournal(Path dir, FileChannel lockChannel, FileLock lock, String unwritable) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.lockChannel = lockChannel;
        this.lock = lock;
        int bad = read(file);
        this.unreadable = bad;
        if (bad > 0) {
            log.warn("{}: {} unreadable record(s) skipped", file, bad);
        }
        String why = unwritable;
        if (why == null) {
            try {
                this.out = append();
            } catch (IOException e) {
                why = "cannot open " + file + " for writing: " + e.getMessage();
            }
        }
        this.unwritable = why;
        if (why != null) {
            log.error("undo journal unwritable, no fault will be applied: {}", why);
        }
    }

    /**
     * Opens (creating if needed) the journal in {@code dir}. Fails only if another agent holds it;
     * a directory that cannot be created or written gives an {@linkplain #writable() unwritable}
     * journal holding whatever could be read.
     */
    public static UndoJournal open(Path dir) throws IOException {
        String unwritable = null;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            unwritable = "cannot create the state directory " + dir + ": " + reason(e);
        }
        FileChannel ch = null;
        FileLock lock = null;
        if (unwritable == null) {
            try {
                ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                unwritable = "cannot write the state directory " + dir + ": " + reason(e);
            }
        }
        if (ch != null) {
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new IOException("state directory " + dir + " is in use by another agent");
            }
        }
        return new UndoJournal(dir, ch, lock, unwritable);
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : m == null ? "I/O error" : m;
    }

    private FileChannel append() throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Reads every record it can, streaming through a window of two records' size so that a
     * journal of any size is read in fixed memory (only its first {@link #MAX_FILE} bytes); returns
     * how many records it could not read (the rest of a journal beyond that size counts as one).
     */
    private int read(Path f) {
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int bad = 0;
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[2 * (HEADER + MAX_RECORD)];
            int start = 0;
            int end = 0;
            long total = 0;
            boolean eof = false;
            boolean inDamage = false;
            while (true) {
                if (!eof && end - start < HEADER + MAX_RECORD) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                    while (end < buf.length && !eof) {
                        int want = (int) Math.min(buf.length - end, MAX_FILE - total);
                        int n = want == 0 ? -1 : in.read(buf, end, want);
                        if (n < 0) {
                            eof = true;
                        } else {
                            end += n;
                            total += n;
                        }
                    }
                }
                if (start >= end) {
                    break;
                }
                int len = recordAt(buf, start, end);
                if (len < 0) {
                    if (!inDamage) {
                        bad++;
                        inDamage = true;
                    }
                    start++;
                    continue;
                }
                inDamage = false;
                try {
                    if (!take(Json.decode(Arrays.copyOfRange(buf, start + HEADER, start + HEADER + len), Entry.class))) {
                        bad++;
                    }
                } catch (Json.JsonCodecException e) {
                    bad++;
                }
                start += HEADER + len;
            }
            if (total >= MAX_FILE && in.read() >= 0) {
                log.error("the undo journal {} is larger than {} MB: only its start was read", f, MAX_FILE >> 20);
                bad++;
            }
        } catch (IOException e) {
            log.error("cannot read the undo journal {}: {}", f, reason(e));
            return bad + 1;
        }
        return bad;
    }

    /** The payload length of a sound record starting at {@code p} (data ends at {@code limit}); -1 if none starts there. */
    private static int recordAt(byte[] data, int p, int limit) {
        if (p + HEADER > limit) {
            return -1;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (data[p + i] != MAGIC[i]) {
                return -1;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(data, p + 4, 8);
        int len = b.getInt();
        int crc = b.getInt();
        if (len <= 0 || len > MAX_RECORD || p + HEADER + len > limit) {
            return -1;
        }
        CRC32C c = new CRC32C();
        c.update(data, p + HEADER, len);
        return (int) c.getValue() == crc ? len : -1;
    }

    /** The most entries of each kind kept from a journal: a healthy one, compacted at every start, holds a few. */
    static final int MAX_ENTRIES = 10_000;

    /** Keeps {@code e}; false when the journal holds more entries than a sound one could (damage). */
    private boolean take(Entry e) {
        if (e.commandId() == null) {
            return true;
        }
        if (Entry.APPLY.equals(e.op())) {
            if (applies.size() >= MAX_ENTRIES && !applies.containsKey(e.commandId())) {
                return false;
            }
            applies.put(e.commandId(), e);
        } else if (Entry.UNDONE.equals(e.op())) {
            if (undone.size() >= MAX_ENTRIES) {
                return false;
            }
            undone.add(e.commandId());
        }
        return true;
    }

    public Path file() {
        return file;
    }

    /** Records that could not be read when the journal was opened. */
    public int unreadableRecords() {
        return unreadable;
    }

    /**
     * True when records could not be read: what they held is unknown, so the agent must also undo
     * by tag whatever its drivers can find (safe mode).
     */
    public boolean damaged() {
        return unreadable > 0;
    }

    /** False when nothing can be written: every apply is refused. */
    public boolean writable() {
        return unwritable == null;
    }

    /** Why the journal cannot be written; null when it can. */
    public String unwritableReason() {
        return unwritable;
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

    /** Written and forced to disk before the fault is applied; throws when it cannot be. */
    public synchronized void applying(ApplyCommand c, Instant at) throws IOException {
        applying(c, at, false);
    }

    /**
     * Written before the fault is applied; throws when it cannot be. Forced to disk first unless
     * the fault {@code diesWithHost}: then the record (and its {@code undone}) need outlive only
     * this process, and written is enough, since the page cache outlives it. A host that goes
     * down takes such a fault with it, and a record lost with the host has nothing left to undo.
     */
    public synchronized void applying(ApplyCommand c, Instant at, boolean diesWithHost) throws IOException {
        Entry e = new Entry(Entry.APPLY, c.commandId(), c.runId(), c.fault(), c.notAfter(), at,
                ProcessHandle.current().pid());
        write(e, !diesWithHost);
        applies.put(c.commandId(), e);
        if (diesWithHost) {
            unforced.add(c.commandId());
        }
    }

    /** The fault is gone (undone, or its apply failed and left nothing). */
    public synchronized void undone(String commandId, Instant at) throws IOException {
        if (!applies.containsKey(commandId) || undone.contains(commandId)) {
            return;
        }
        // Known undone in memory even if the disk refuses it: this run will not undo it twice.
        undone.add(commandId);
        write(new Entry(Entry.UNDONE, commandId, null, null, null, at, null), !unforced.remove(commandId));
    }

    /**
     * Rewrites the journal with only what still matters at {@code now}: faults not yet undone, and
     * undone ones whose command could still be replayed. A damaged journal is first moved aside,
     * whole, as {@code undo-journal.damaged-<millis>}: nothing it could not read is erased.
     */
    public synchronized void compact(Instant now) throws IOException {
        if (!writable()) {
            return;
        }
        List<byte[]> records = new ArrayList<>();
        Map<String, Entry> keep = new LinkedHashMap<>();
        for (Entry e : applies.values()) {
            boolean open = !undone.contains(e.commandId());
            boolean replayable = e.notAfter() != null && e.notAfter().isAfter(now);
            if (open || replayable) {
                keep.put(e.commandId(), e);
                records.add(record(e));
                if (!open) {
                    records.add(record(new Entry(Entry.UNDONE, e.commandId(), null, null, null, now, null)));
                }
            }
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            for (byte[] r : records) {
                writeFully(ch, r);
            }
            ch.force(true);
        }
        out.close();
        if (damaged()) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Path aside = file.resolveSibling("undo-journal.damaged-" + now.toEpochMilli());
                Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
                log.warn("damaged undo journal kept as {}", aside);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        applies.keySet().retainAll(keep.keySet());
        undone.retainAll(keep.keySet());
        unforced.retainAll(keep.keySet());
        out = append();
    }

    static byte[] record(Entry e) {
        byte[] payload = Json.encode(e);
        CRC32C c = new CRC32C();
        c.update(payload);
        return ByteBuffer.allocate(HEADER + payload.length).put(MAGIC).putInt(payload.length).putInt((int) c.getValue())
                .put(payload).array();
    }

    private void write(Entry e, boolean force) throws IOException {
        if (!writable()) {
            throw new IOException(unwritable);
        }
        writeFully(out, record(e));
        if (force) {
            out.force(false);
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
        }
        if (lock != null) {
            lock.release();
            lockChannel.close();
        }
    }
}

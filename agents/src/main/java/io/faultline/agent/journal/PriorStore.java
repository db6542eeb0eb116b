package io.faultline.agent.journal;

import io.faultline.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a fault changed, as it was before, written and forced to disk before the change is made:
 * the replica order and leader of each moved partition, a quota entity's previous values, a
 * topic's previous override, the network namespace a network fault entered. Undo, recovery after a crash and the safe-mode sweep all restore from
 * it, so the cluster gets back exactly what it had, not a default. One file per command, under the
 * agent's state directory, written whole to a temporary file and renamed into place: a crash
 * leaves either the old state or the new, never half of one.
 *
 * @param <T> the driver's record of the prior state
 */
public final class PriorStore<T> {
    /** A record is a few kilobytes (a thousand partitions' replica lists); a larger file is damage. */
    public static final long MAX_BYTES = 1024 * 1024;

    private final Path dir;
    private final Class<T> type;

    public PriorStore(Path dir, Class<T> type) {
        this.dir = dir;
        this.type = type;
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code prior} for {@code commandId} and forces it to disk; throws when that cannot be done. */
    public void save(String commandId, T prior) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(commandId + ".tmp");
        byte[] bytes = Json.encode(prior);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file(commandId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file(commandId), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the file itself is on disk.
        }
    }

    /** The prior state saved for {@code commandId}; empty when none was (the change was never made). */
    public Optional<T> load(String commandId) throws IOException {
        Path f = file(commandId);
        try {
            if (Files.size(f) > MAX_BYTES) {
                throw new IOException(f + " is larger than " + MAX_BYTES + " bytes: not a record this agent wrote");
            }
            return Optional.of(Json.decode(Files.readAllBytes(f), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (Json.JsonCodecException e) {
            throw new IOException(f + " is not readable: " + e.getMessage());
        }
    }

    /** The change is gone: its record goes too. */
    public void remove(String commandId) throws IOException {
        Files.deleteIfExists(file(commandId));
    }

    /** The command ids with a saved record, for the safe-mode sweep. */
    public List<String> commandIds() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                out.add(name.substring(0, name.length() - ".json".length()));
            }
        }
        out.sort(null);
        return out;
    }

    private Path file(String commandId) {
        return dir.resolve(commandId + ".json");
    }
}

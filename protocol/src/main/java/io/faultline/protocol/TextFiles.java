package io.faultline.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the files people give Faultline (scenarios, policies) with every size bounded: a regular
 * file only (a FIFO or a device would block or never end), at most {@code maxBytes}, no line
 * longer than {@code maxLine} characters, UTF-8. Errors are sentences naming the problem, never an
 * exception's type.
 */
public final class TextFiles {
    private TextFiles() {
    }

    /** Why a file could not be read; the message names the problem without the file (callers add it). */
    public static final class UnreadableException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;

        UnreadableException(int line, String message) {
            super(message);
            this.line = line;
        }

        /** The line the problem is on, or 0 when it concerns the whole file. */
        public int line() {
            return line;
        }
    }

    public static String read(Path file, int maxBytes, int maxLine) throws UnreadableException {
        if (!Files.exists(file)) {
            throw new UnreadableException(0, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UnreadableException(0, "not a regular file");
        }
        byte[] data;
        // A link to a regular file is fine (Kubernetes mounts ConfigMaps and Secrets that way).
        try (InputStream in = Files.newInputStream(file)) {
            data = in.readNBytes(maxBytes + 1);
        } catch (NoSuchFileException e) {
            throw new UnreadableException(0, "no such file");
        } catch (AccessDeniedException e) {
            throw new UnreadableException(0, "permission denied");
        } catch (IOException e) {
            throw new UnreadableException(0, "cannot read: " + (e.getMessage() == null ? "I/O error" : e.getMessage()));
        }
        if (data.length > maxBytes) {
            throw new UnreadableException(0, "larger than " + maxBytes / 1024 + " KiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new UnreadableException(lineOfFirstBadByte(data), "not UTF-8 text");
        }
        int line = 1;
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                length = 0;
            } else if (++length > maxLine) {
                throw new UnreadableException(line, "line longer than " + maxLine + " characters");
            }
        }
        return text;
    }

    private static int lineOfFirstBadByte(byte[] data) {
        int line = 1;
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == '\n') {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(data, start, i - start));
                } catch (CharacterCodingException e) {
                    return line;
                }
                line++;
                start = i + 1;
            }
        }
        return 0;
    }
}

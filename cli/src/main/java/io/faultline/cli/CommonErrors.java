package io.faultline.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns what a subcommand throws into a sentence and a documented exit code. No message names a
 * Java type: Kafka's and the file system's errors are told by what went wrong. Knows no
 * orchestrator type, so the agent can use it from its own class path.
 */
final class CommonErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        LoggerFactory.getLogger(Faultline.class).debug("error", e);
        if (e instanceof IllegalArgumentException) {
            err.println("faultline: invalid input: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        ConfigException config = find(e, ConfigException.class);
        if (config != null && config.getMessage() != null && config.getMessage().contains("No resolvable bootstrap urls")) {
            // Well-formed, but no host name in it resolves: DNS (or a name that is gone), not the input's form.
            err.println("faultline: none of the bootstrap servers' host names resolves (is the name right, and "
                    + "DNS reachable from here?)");
            return ExitCodes.INFRASTRUCTURE;
        }
        if (config != null) {
            err.println("faultline: invalid Kafka client setting: " + redacted(config.getMessage()));
            return ExitCodes.INVALID_INPUT;
        }
        if (find(e, TimeoutException.class) != null) {
            err.println("faultline: Kafka did not answer in time (is the broker reachable at the address given?): "
                    + deepestMessage(e));
            return ExitCodes.INFRASTRUCTURE;
        }
        if (find(e, KafkaException.class) != null) {
            err.println("faultline: Kafka: " + deepestMessage(e));
            return ExitCodes.INFRASTRUCTURE;
        }
        FileSystemException fs = find(e, FileSystemException.class);
        if (fs != null) {
            String what = fs instanceof FileAlreadyExistsException ? "already exists"
                    : fs instanceof NoSuchFileException ? "does not exist"
                    : fs instanceof AccessDeniedException ? "permission denied"
                    : fs instanceof NotDirectoryException ? "is not a directory"
                    : fs.getReason() != null ? fs.getReason() : "cannot be used";
            err.println("faultline: " + fs.getFile() + ": " + what);
            return ExitCodes.INVALID_INPUT;
        }
        if (find(e, IOException.class) != null) {
            err.println("faultline: I/O error: " + deepestMessage(e));
            return ExitCodes.INFRASTRUCTURE;
        }
        err.println("faultline: internal error: " + deepestMessage(e)
                + " (this is a bug; the log at debug level has the details)");
        return ExitCodes.INTERNAL;
    }

    /**
     * Kafka's own sentence without the value it quotes ({@code Invalid value hunter2 for
     * configuration ...}): a setting's value may be a secret, and is never printed.
     */
    static String redacted(String message) {
        return message == null ? "no detail"
                : message.replaceAll("(?s)Invalid value .*? for configuration ", "Invalid value for configuration ");
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The message of the deepest cause that has one: the most specific words, never a type name. */
    static String deepestMessage(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? "no detail" : message.replaceAll("\\b(?:[a-z]+\\.)+[A-Z][A-Za-z]*(?:Exception|Error): ?", "");
    }
}

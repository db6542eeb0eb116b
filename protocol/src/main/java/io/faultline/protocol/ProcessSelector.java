package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The local process a {@code process.kill} fault acts on: named by a pid file, by a regular
 * expression matched against the full command line, or, when both are absent, the service the
 * agent was started beside ({@code faultline agent --service-pid-file}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessSelector(String pidFile, String commandLine, Integer max) {
    public static final ProcessSelector SERVICE = new ProcessSelector(null, null);
    /** The most processes a command-line pattern may name in one command. */
    public static final int MAX_PROCESSES = 64;

    /**
     * @param max with {@code commandLine}: the most processes it may hit (default 1); a pattern
     *            that matches more is refused, naming them, rather than signalling them all
     */
    public ProcessSelector {
        if (max != null && (commandLine == null || max < 1 || max > MAX_PROCESSES)) {
            throw new InvalidFieldException("max", commandLine == null ? "goes with commandLine"
                    : "must be between 1 and " + MAX_PROCESSES + ", got " + max);
        }
        if (pidFile != null && commandLine != null) {
            throw new InvalidFieldException("process", "give pidFile or commandLine, not both");
        }
        if (pidFile != null && pidFile.isBlank()) {
            throw new InvalidFieldException("pidFile", "must not be blank");
        }
        if (commandLine != null) {
            try {
                Pattern.compile(commandLine);
            } catch (PatternSyntaxException e) {
                throw new InvalidFieldException("commandLine",
                        "is not a valid regular expression: " + e.getDescription());
            }
        }
    }

    public ProcessSelector(String pidFile, String commandLine) {
        this(pidFile, commandLine, null);
    }

    /** How many processes a command-line pattern may hit. */
    @JsonIgnore
    public int maxProcesses() {
        return max == null ? 1 : max;
    }

    @JsonIgnore
    public boolean isService() {
        return pidFile == null && commandLine == null;
    }
}

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
public record ProcessSelector(String pidFile, String commandLine) {
    public static final ProcessSelector SERVICE = new ProcessSelector(null, null);

    public ProcessSelector {
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

    @JsonIgnore
    public boolean isService() {
        return pidFile == null && commandLine == null;
    }
}

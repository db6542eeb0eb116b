package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/**
 * One step of a command's life on an agent: received, applied, undone, failed, rejected, or
 * checked (a dry run that would have been applied).
 *
 * @param commandId the command this is about (null when a rejected record could not be decoded; the id
 *                  it claims when its signature did not verify)
 * @param faultType the fault's type, e.g. {@code process.kill}, where known
 * @param detail    what the agent did (applied, undone) or why it did not (failed, rejected)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandEvent(Step step, String runId, String agentId, Instant at, String commandId,
                           String faultType, String detail) implements TelemetryEvent {
    public static final String TYPE = "command";

    /** The steps of a command's life, written in lower case on the wire. CHECKED answers a dry run. */
    public enum Step {
        RECEIVED, APPLIED, UNDONE, FAILED, REJECTED, CHECKED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public CommandEvent {
        Checks.required("step", step);
        Checks.id("agentId", agentId);
        Checks.required("at", at);
    }

    public static CommandEvent received(String agentId, Instant at, Command c) {
        return new CommandEvent(Step.RECEIVED, c.runId(), agentId, at, c.commandId(), faultType(c), null);
    }

    public static CommandEvent applied(String agentId, Instant at, ApplyCommand c, String detail) {
        return new CommandEvent(Step.APPLIED, c.runId(), agentId, at, c.commandId(), c.fault().type(), detail);
    }

    /** The fault applied by {@code faultCommandId} is gone; {@code detail} says why (heal, lease expiry, shutdown). */
    public static CommandEvent undone(String agentId, Instant at, String runId, String faultCommandId,
                                      String faultType, String detail) {
        return new CommandEvent(Step.UNDONE, runId, agentId, at, faultCommandId, faultType, detail);
    }

    public static CommandEvent failed(String agentId, Instant at, Command c, String reason) {
        return new CommandEvent(Step.FAILED, c.runId(), agentId, at, c.commandId(), faultType(c), reason);
    }

    /** Refused; the detail starts with the {@link Rejection} wire name, e.g. {@code forged: ...}. */
    public static CommandEvent rejected(String agentId, Instant at, String runId, String commandId,
                                        String faultType, Rejection.Exception why) {
        return new CommandEvent(Step.REJECTED, runId, agentId, at, commandId, faultType, why.getMessage());
    }

    public static CommandEvent checked(String agentId, Instant at, CheckCommand c, String detail) {
        return new CommandEvent(Step.CHECKED, c.runId(), agentId, at, c.commandId(), c.fault().type(), detail);
    }

    public static CommandEvent rejected(String agentId, Instant at, String runId, String commandId, String reason) {
        return new CommandEvent(Step.REJECTED, runId, agentId, at, commandId, null, reason);
    }

    private static String faultType(Command c) {
        if (c instanceof ApplyCommand a) {
            return a.fault().type();
        }
        return c instanceof CheckCommand k ? k.fault().type() : null;
    }
}

package io.faultline.protocol;

/** Names of Faultline's own topics under a configurable prefix (default {@code faultline.}). */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "faultline.";
    /**
     * The largest record an agent reads from the commands or halt topic: a signed command is a few
     * KiB. Larger ones are rejected unread; Faultline creates both topics with this as their
     * {@code max.message.bytes}, so the broker refuses them first.
     */
    public static final int MAX_COMMAND_BYTES = 64 * 1024;

    public Topics {
        Checks.required("prefix", prefix);
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String commands() {
        return prefix + "commands";
    }

    public String telemetry() {
        return prefix + "telemetry";
    }

    public String verdicts() {
        return prefix + "verdicts";
    }

    /** Compacted; one key. */
    public String halt() {
        return prefix + "halt";
    }
}

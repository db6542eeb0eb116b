package io.faultline.protocol;

/** Names of Faultline's own topics under a configurable prefix (default {@code faultline.}). */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "faultline.";

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

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Why an agent refused a command. The wire name starts the {@code rejected} event's detail and
 * names the agent's rejection counter.
 */
public enum Rejection {
    /** Not a readable envelope, or a signed text that is not a valid command. */
    MALFORMED,
    /** No key id or no signature. */
    UNSIGNED,
    /** Signed with a key id this agent was not given. */
    UNKNOWN_KEY,
    /** The signature does not verify: the text was altered or signed with another key. */
    FORGED,
    /** {@code notAfter} has passed. */
    EXPIRED,
    /** A command id this agent has already received. */
    REPLAYED,
    /** Issued before the latest halt. */
    HALTED,
    /** Outside this agent's policy. */
    POLICY,
    /** This agent or its host cannot run the fault. */
    UNSUPPORTED,
    /** A renewal for a fault this agent does not hold (undone already, or never applied here). */
    NOT_ACTIVE,
    /** Another agent started with the same id was given it: this one acts on no command but halts. */
    DUPLICATE_ID;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A refused command: the category and a sentence fit for telemetry. */
    public static final class Exception extends java.lang.Exception {
        private static final long serialVersionUID = 1L;
        private final Rejection reason;

        public Exception(Rejection reason, String message) {
            super(reason.wireName() + ": " + message);
            this.reason = reason;
        }

        public Rejection reason() {
            return reason;
        }
    }
}

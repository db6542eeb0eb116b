package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * "Undo everything now", on the compacted halt topic under the constant key {@link #KEY}. Every
 * agent undoes every fault it holds when it reads one and refuses commands issued before it.
 * A halt can only take faults away, so agents obey it unsigned.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Halt(Instant at, String reason, String issuedBy) {
    public static final String KEY = "halt";

    public Halt {
        Checks.required("at", at);
        reason = reason == null || reason.isBlank() ? "no reason given" : reason;
    }
}

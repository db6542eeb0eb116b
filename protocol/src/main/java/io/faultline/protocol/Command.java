package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * A command envelope on the commands topic. Every command carries its own id (agents drop
 * duplicates by it), the run it belongs to, its target, when it was issued and the instant
 * after which an agent must refuse it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ApplyCommand.class, name = "apply"),
    @JsonSubTypes.Type(value = HealCommand.class, name = "heal"),
})
public sealed interface Command permits ApplyCommand, HealCommand {
    String commandId();

    String runId();

    Target target();

    Instant issuedAt();

    Instant notAfter();

    default boolean expiredAt(Instant now) {
        return now.isAfter(notAfter());
    }
}

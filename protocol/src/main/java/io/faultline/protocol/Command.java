package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * A command on the commands topic, carried inside a {@link SignedCommand}. Every command carries
 * its own id (agents refuse a second delivery of it), the run it belongs to, its target, when it
 * was issued and the instant after which an agent must refuse it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ApplyCommand.class, name = "apply"),
    @JsonSubTypes.Type(value = HealCommand.class, name = "heal"),
    @JsonSubTypes.Type(value = RenewCommand.class, name = "renew"),
    @JsonSubTypes.Type(value = CheckCommand.class, name = "check"),
})
public sealed interface Command permits ApplyCommand, HealCommand, RenewCommand, CheckCommand {
    String commandId();

    String runId();

    Target target();

    Instant issuedAt();

    Instant notAfter();

    default boolean expiredAt(Instant now) {
        return now.isAfter(notAfter());
    }
}

package io.faultline.scenario;

import io.faultline.protocol.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;

/**
 * One step of a game-day: exactly one of {@code wait} (a pause), {@code inject}, {@code heal}
 * (the name of an earlier inject step) or {@code action} (a command or request on the
 * orchestrator's host, {@link ActionSpec}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Step(String name, @JsonProperty("wait") Duration pause, InjectSpec inject, String heal,
                   ActionSpec action) {
    public Step {
        int kinds = (pause != null ? 1 : 0) + (inject != null ? 1 : 0) + (heal != null ? 1 : 0)
                + (action != null ? 1 : 0);
        if (kinds != 1) {
            throw new InvalidFieldException("", "a step needs exactly one of wait, inject, heal or action");
        }
        if (name != null) {
            Checks.id("name", name);
        }
        if (inject != null && name == null) {
            throw new InvalidFieldException("name", "an inject step needs a name, so a heal step can refer to it");
        }
        if (action != null && name == null) {
            throw new InvalidFieldException("name", "an action step needs a name: it is the name of its check");
        }
        if (pause != null) {
            Checks.positive("wait", pause);
        }
    }

    public String describe() {
        if (pause != null) {
            return "wait " + Durations.format(pause);
        }
        if (inject != null) {
            return "inject " + name + " (" + inject.fault().type() + " on " + inject.target() + ")";
        }
        if (action != null) {
            return "action " + name + " (" + action.describe() + ")";
        }
        return "heal " + heal;
    }
}

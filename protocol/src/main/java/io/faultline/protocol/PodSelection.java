package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which pods a Kubernetes fault acts on: those in {@code namespace} matching every label of
 * {@code selector}, narrowed by {@code mode}: {@code one} (a random one), {@code all}, {@code
 * fixed} ({@code value} pods) or {@code percent} ({@code value} percent, rounded up).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodSelection(String namespace, Map<String, String> selector, Mode mode, Integer value) {
    /** How many of the matching pods. */
    public enum Mode {
        ONE, ALL, FIXED, PERCENT;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public PodSelection {
        Checks.required("namespace", namespace);
        if (!DNS_LABEL.matcher(namespace).matches()) {
            throw new InvalidFieldException("namespace", "'" + namespace + "' is not a Kubernetes namespace name");
        }
        selector = Checks.copy(selector);
        if (selector.isEmpty()) {
            throw new InvalidFieldException("selector", "needs at least one label, so a fault never hits every pod by accident");
        }
        mode = mode == null ? Mode.ONE : mode;
        if (mode == Mode.FIXED && (value == null || value < 1)) {
            throw new InvalidFieldException("value", "mode fixed needs value >= 1 (how many pods)");
        }
        if (mode == Mode.PERCENT && (value == null || value < 1 || value > 100)) {
            throw new InvalidFieldException("value", "mode percent needs value in 1-100");
        }
        if ((mode == Mode.ONE || mode == Mode.ALL) && value != null) {
            throw new InvalidFieldException("value", "mode " + mode.wireName() + " takes no value");
        }
    }

    /** How many of {@code matching} pods the mode picks. */
    public int count(int matching) {
        return switch (mode) {
            case ONE -> Math.min(1, matching);
            case ALL -> matching;
            case FIXED -> Math.min(value, matching);
            case PERCENT -> (int) Math.min(matching, Math.ceil(matching * value / 100.0));
        };
    }
}

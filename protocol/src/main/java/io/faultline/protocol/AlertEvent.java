package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One alert notification from Alertmanager, forwarded to telemetry by {@code faultline
 * alert-bridge} (type {@code alert.notification}).
 *
 * @param agentId     who forwarded it (the bridge's name)
 * @param at          when the bridge received it
 * @param fingerprint Alertmanager's identity of the alert (one label set)
 * @param startsAt    when the alert started firing, per Alertmanager
 * @param endsAt      when it resolved; absent or in the future while firing
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertEvent(String runId, String agentId, Instant at, String alertname, Status status,
                         Map<String, String> labels, String fingerprint, Instant startsAt, Instant endsAt)
        implements TelemetryEvent {
    public static final String TYPE = "alert.notification";

    /** Firing or resolved, lower case on the wire as Alertmanager writes it. */
    public enum Status {
        FIRING, RESOLVED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AlertEvent {
        Checks.id("agentId", agentId);
        Checks.required("at", at);
        Checks.required("alertname", alertname);
        Checks.required("status", status);
        labels = Checks.copy(labels);
    }

    @Override
    public String recordKey() {
        return "alert:" + alertname;
    }
}

package io.faultline.alert;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert state reported by Alertmanager (webhook, bridge or API), with the time the
 * orchestrator learnt of it.
 *
 * @param firing     true for firing, false for resolved
 * @param receivedAt on the orchestrator's clock (the bridge's for bridged notices)
 * @param source     webhook, bridge or api
 */
public record AlertNotice(String alertname, boolean firing, Map<String, String> labels, String fingerprint,
                          Instant startsAt, Instant endsAt, Instant receivedAt, String source) {
    public AlertNotice {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The alert's identity: Alertmanager's fingerprint, or its label set. */
    public String identity() {
        return fingerprint != null && !fingerprint.isBlank() ? fingerprint : alertname + new TreeMap<>(labels);
    }
}

package io.faultline.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.protocol.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads Alertmanager's webhook payload (version 4). */
public final class WebhookPayload {
    private WebhookPayload() {
    }

    /** The notices in one webhook body; throws IllegalArgumentException saying what is wrong with it. */
    public static List<AlertNotice> parse(byte[] body, Instant receivedAt, String source) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a webhook payload: expected a JSON object");
        }
        String version = root.path("version").asText("");
        if (!version.equals("4")) {
            throw new IllegalArgumentException("webhook payload version '" + version + "' is not supported (expected 4)");
        }
        JsonNode alerts = root.path("alerts");
        if (!alerts.isArray()) {
            throw new IllegalArgumentException("webhook payload has no 'alerts' array");
        }
        List<AlertNotice> out = new ArrayList<>();
        for (JsonNode a : alerts) {
            Map<String, String> labels = labels(a.path("labels"));
            String name = labels.get("alertname");
            if (name == null) {
                throw new IllegalArgumentException("an alert has no alertname label");
            }
            String status = a.path("status").asText("");
            if (!status.equals("firing") && !status.equals("resolved")) {
                throw new IllegalArgumentException("alert " + name + " has status '" + status + "' (firing or resolved)");
            }
            out.add(new AlertNotice(name, status.equals("firing"), labels, a.path("fingerprint").asText(null),
                    instant(a.path("startsAt")), instant(a.path("endsAt")), receivedAt, source));
        }
        return out;
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /** Alertmanager writes the zero time 0001-01-01T00:00:00Z for "not set". */
    static Instant instant(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        try {
            Instant i = Instant.parse(node.asText());
            return i.getEpochSecond() < 0 ? null : i;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }
}

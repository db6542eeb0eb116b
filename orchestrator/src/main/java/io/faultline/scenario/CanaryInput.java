package io.faultline.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.faultline.protocol.InvalidFieldException;
import io.faultline.protocol.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a canary looks like going into the system under test: its record key, value and headers
 * from templates. A template is text with placeholders for the canary's fields: {@code {id}} (the
 * canary id, {@code RUN:SEQ}), {@code {run}}, {@code {seq}}, {@code {key}} (the canary's key, one of
 * {@code keys}), {@code {sentAt}} (ISO-8601) and {@code {padding}} (filler that brings the value
 * to {@code padTo} bytes).
 *
 * @param format  how the value is encoded: {@code json} (the rendered template must be JSON) or
 *                {@code text}; the seam for Avro or Protobuf later
 * @param key     the record key's template (default {@code {key}})
 * @param value   the value's template (default: Faultline's own JSON canary,
 *                {@code {"id": ..., "run": ..., "seq": ..., "key": ..., "sentAt": ...}})
 * @param headers header name to value template
 * @param padTo   bytes the value is padded to through {@code {padding}}
 */
public record CanaryInput(String format, String key, String value, Map<String, String> headers, Integer padTo) {
    /** Placeholders a template may use. */
    public static final List<String> FIELDS = List.of("id", "run", "seq", "key", "sentAt", "padding");
    public static final List<String> FORMATS = List.of("json", "text");
    /**
     * The largest value a canary may be padded to: half of what a Kafka producer sends in one
     * request by default ({@code max.request.size}, 1 MiB), so that key, headers and the batch
     * around it still fit; a larger canary would never leave the producer.
     */
    public static final int MAX_PAD = 512 * 1024;
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

    /**
     * Whether the key template gives every canary a key of its own ({@code {id}}, {@code {seq}} or
     * {@code {sentAt}}): then the service keeps no order per key that Faultline could judge.
     */
    public boolean keyPerCanary() {
        Matcher m = PLACEHOLDER.matcher(key);
        while (m.find()) {
            if (List.of("id", "seq", "sentAt").contains(m.group(1))) {
                return true;
            }
        }
        return false;
    }

    public CanaryInput {
        format = format == null ? "json" : format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new InvalidFieldException("format", "'" + format + "' is not one of " + String.join(", ", FORMATS));
        }
        key = key == null ? "{key}" : key;
        headers = headers == null ? Map.of() : new LinkedHashMap<>(headers);
        check("key", key);
        if (value != null) {
            check("value", value);
        }
        headers.forEach((name, template) -> {
            if (name == null || name.isBlank()) {
                throw new InvalidFieldException("headers", "a header needs a name");
            }
            if (template == null) {
                throw new InvalidFieldException("headers." + name, "needs a value template");
            }
            check("headers." + name, template);
        });
        if (padTo != null) {
            if (padTo < 1 || padTo > MAX_PAD) {
                throw new InvalidFieldException("padTo", "must be between 1 and " + MAX_PAD + " bytes (half of a Kafka "
                        + "producer's default request size), got " + padTo);
            }
            if (value == null || !value.contains("{padding}")) {
                throw new InvalidFieldException("padTo", "needs {padding} in the value template, where the filler goes");
            }
        }
        headers = Map.copyOf(headers);
        if (format.equals("json") && value != null) {
            String sample = fill(value, Map.of("id", "run-1:0", "run", "run-1", "seq", "0", "key", "k0",
                    "sentAt", "2026-01-01T00:00:00Z"), 0);
            try {
                Json.mapper().readTree(sample);
            } catch (IOException e) {
                throw new InvalidFieldException("value", "does not render JSON (format: json): "
                        + (e instanceof JsonProcessingException p ? p.getOriginalMessage()
                                : e.getMessage()) + "; rendered: " + abbreviate(sample)
                        + " (use format: text for a value that is not JSON)");
            }
        }
    }

    /** {@code template} with each placeholder replaced; {@code {padding}} becomes {@code pad} characters. */
    public static String fill(String template, Map<String, String> fields, int pad) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + pad);
        while (m.find()) {
            String name = m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement(name.equals("padding") ? "x".repeat(pad) : fields.get(name)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    /** Faultline's own canary: JSON with the id, run, sequence, key and send time. */
    public static CanaryInput defaults() {
        return new CanaryInput(null, null, null, null, null);
    }

    private static void check(String field, String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!FIELDS.contains(m.group(1))) {
                throw new InvalidFieldException(field, "unknown placeholder {" + m.group(1) + "} (known: {"
                        + String.join("}, {", FIELDS) + "})");
            }
        }
        if (!field.equals("value") && template.contains("{padding}")) {
            throw new InvalidFieldException(field, "{padding} belongs in the value template only");
        }
    }
}

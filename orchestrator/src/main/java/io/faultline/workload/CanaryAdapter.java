package io.faultline.workload;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.faultline.protocol.Json;
import io.faultline.scenario.CanaryInput;
import io.faultline.scenario.CanaryOutput;
import io.faultline.verifier.CanaryLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Turns canaries into the records a service expects and finds them again in what it writes: the
 * scenario's input templates and output extractor ({@link CanaryInput}, {@link CanaryOutput}).
 * Without either, the canary is Faultline's own JSON and its id is read at {@code /id}.
 *
 * <p>A canary id is {@code RUN:SEQ}; whatever the extractor finds is a canary of this run only if
 * it starts with {@code RUN:}, so other runs and the service's own traffic are told apart.
 */
public final class CanaryAdapter {
    private final String runId;
    private final String prefix;
    private final CanaryInput input;
    private final CanaryOutput output;
    private final JsonPointer pointer;
    private final Pattern regex;

    /** A record to produce: key, value and headers, rendered for one canary. */
    public record Rendered(String key, byte[] value, Map<String, byte[]> headers) {
    }

    public CanaryAdapter(String runId, CanaryInput input, CanaryOutput output) {
        this.runId = runId;
        this.prefix = runId + ":";
        this.input = input == null ? CanaryInput.defaults() : input;
        this.output = output;
        this.pointer = output != null && output.jsonPointer() != null ? JsonPointer.compile(output.jsonPointer()) : null;
        this.regex = output != null && output.regex() != null ? Pattern.compile(output.regex()) : null;
    }

    /** What every canary id of this run starts with; the sequence number follows. */
    public String idPrefix() {
        return prefix;
    }

    /** The canary id of sequence number {@code seq} in this run. */
    public String id(long seq) {
        return prefix + seq;
    }

    /** The record for canary {@code seq} with key {@code key} sent at {@code sentAt}. */
    public Rendered render(long seq, String key, Instant sentAt) {
        String id = id(seq);
        Map<String, String> fields = Map.of("id", id, "run", runId, "seq", Long.toString(seq), "key", key,
                "sentAt", sentAt.toString());
        String renderedKey = fill(input.key(), fields, 0);
        byte[] value;
        if (input.value() == null) {
            value = Json.encode(Map.of("id", id, "run", runId, "seq", seq, "key", key, "sentAt", sentAt.toString()));
        } else {
            int pad = 0;
            if (input.padTo() != null) {
                int bare = fill(input.value(), fields, 0).getBytes(StandardCharsets.UTF_8).length;
                pad = Math.max(0, input.padTo() - bare);
            }
            value = fill(input.value(), fields, pad).getBytes(StandardCharsets.UTF_8);
        }
        Map<String, byte[]> headers = new LinkedHashMap<>();
        input.headers().forEach((name, template) -> headers.put(name, fill(template, fields, 0)
                .getBytes(StandardCharsets.UTF_8)));
        return new Rendered(renderedKey, value, headers);
    }

    private static String fill(String template, Map<String, String> fields, int pad) {
        return CanaryInput.fill(template, fields, pad);
    }

    /**
     * The canary id this output record carries, or null when it carries none of this run (another
     * run's canary, the service's own traffic, or a record the extractor cannot read).
     */
    /**
     * The sequence number of the canary of this run in the record, as {@link CanaryCodec#seq}
     * gives it: {@link CanaryCodec#NOT_OURS} when there is none, {@link CanaryCodec#ODD} when its
     * id is this run's but not a canonical one (read it with {@link #idOf}). Faultline's own JSON
     * is read without making a string of the id.
     */
    public long seqOf(String key, byte[] value, Headers headers) {
        if (output == null) {
            return CanaryCodec.seq(value, runId, prefix);
        }
        String id = idOf(key, value, headers);
        if (id == null) {
            return CanaryCodec.NOT_OURS;
        }
        long seq = CanaryLog.seqOf(prefix, id);
        return seq < 0 ? CanaryCodec.ODD : seq;
    }

    public String idOf(String key, byte[] value, Headers headers) {
        String found;
        if (output == null) {
            return CanaryCodec.id(value, runId);
        } else if (output.header() != null) {
            Header h = headers == null ? null : headers.lastHeader(output.header());
            found = h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        } else if (pointer != null) {
            found = pointed(value);
        } else if (regex != null) {
            if (value == null) {
                return null;
            }
            Matcher m = regex.matcher(new String(value, StandardCharsets.UTF_8));
            found = m.find() ? m.group(m.groupCount() == 1 ? 1 : 0) : null;
        } else {
            found = key;
        }
        return found != null && found.startsWith(prefix) ? found : null;
    }

    private String pointed(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode node = Json.mapper().readTree(value).at(pointer);
            return node.isValueNode() ? node.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Where the id is looked for, in words. */
    public String describe() {
        return output == null ? "as Faultline's own JSON canary (\"id\" and \"run\" at the top)" : output.describe();
    }
}

package io.faultline.workload;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.faultline.protocol.Json;
import java.io.IOException;

/**
 * Reads the canary id out of a result record's value without building a tree: the observer sees
 * every record of the output topic, so this is the hot path of verification end to end.
 */
public final class CanaryCodec {
    private CanaryCodec() {
    }

    /** The canary's id if the value is a canary of {@code runId}; null otherwise (other runs, other data). */
    public static String id(byte[] value, String runId) {
        if (value == null) {
            return null;
        }
        String run = null;
        String id = null;
        try (JsonParser p = Json.mapper().getFactory().createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("run".equals(field) && t == JsonToken.VALUE_STRING) {
                    // Compared where the parser holds it: most records of a busy topic are not this run's.
                    if (!sameText(p, runId)) {
                        return null;
                    }
                    run = runId;
                } else if ("id".equals(field) && t == JsonToken.VALUE_STRING) {
                    id = p.getText();
                } else {
                    p.skipChildren();
                }
                if (run != null && id != null) {
                    return id;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static boolean sameText(JsonParser p, String expected) throws IOException {
        int n = p.getTextLength();
        if (n != expected.length()) {
            return false;
        }
        char[] chars = p.getTextCharacters();
        int from = p.getTextOffset();
        for (int i = 0; i < n; i++) {
            if (chars[from + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

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

    /** {@link #seq}: the value is no canary of the run. */
    public static final long NOT_OURS = -1;
    /** {@link #seq}: a canary id of the run, but not spelled as one the run sent ("RUN:07"); read it with {@link #id}. */
    public static final long ODD = -2;

    /**
     * The sequence number of the canary the value carries, read from the parser's characters
     * without making its id a string: {@link #NOT_OURS} for anything but a canary of {@code runId}
     * (whose ids start with {@code prefix}), {@link #ODD} for one of its ids not spelled canonically.
     */
    public static long seq(byte[] value, String runId, String prefix) {
        if (value == null) {
            return NOT_OURS;
        }
        long scanned = CanaryScan.seq(value, runId, prefix);
        return scanned == CanaryScan.UNSURE ? parsed(value, runId, prefix) : scanned;
    }

    /** {@link #seq} as Jackson's streaming parser reads the value: for what the byte scan is not sure of. */
    static long parsed(byte[] value, String runId, String prefix) {
        boolean run = false;
        long seq = NOT_OURS;
        try (JsonParser p = Json.mapper().getFactory().createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NOT_OURS;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("run".equals(field) && t == JsonToken.VALUE_STRING) {
                    if (!sameText(p, runId)) {
                        return NOT_OURS;
                    }
                    run = true;
                } else if ("id".equals(field) && t == JsonToken.VALUE_STRING) {
                    seq = number(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), prefix);
                } else {
                    p.skipChildren();
                }
                if (run && seq != NOT_OURS) {
                    return seq;
                }
            }
        } catch (IOException e) {
            return NOT_OURS;
        }
        return NOT_OURS;
    }

    /** The canonical sequence number after {@code prefix} in {@code chars}; ODD or NOT_OURS otherwise. */
    static long number(char[] chars, int from, int length, String prefix) {
        int n = prefix.length();
        if (length < n) {
            return NOT_OURS;
        }
        for (int i = 0; i < n; i++) {
            if (chars[from + i] != prefix.charAt(i)) {
                return NOT_OURS;
            }
        }
        int digits = length - n;
        if (digits < 1 || digits > 18 || (digits > 1 && chars[from + n] == '0')) {
            return ODD;
        }
        long seq = 0;
        for (int i = from + n; i < from + length; i++) {
            char ch = chars[i];
            if (ch < '0' || ch > '9') {
                return ODD;
            }
            seq = seq * 10 + (ch - '0');
        }
        return seq;
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

package io.faultline.workload;

/**
 * The canary's sequence number read straight from a result record's bytes, for the shape
 * nearly every record has: a JSON object of plain ASCII fields. It answers only where its
 * strict subset of JSON is enough to be sure (no escapes, no bytes outside ASCII, numbers as
 * JSON spells them, at most {@link #DEPTH} levels); anything else is {@link #UNSURE} and is
 * read by Jackson, so what it returns is exactly what {@link CanaryCodec#seq}'s parser would.
 * It allocates nothing: the verifier's consumer reads every record of the output topic with it.
 */
final class CanaryScan {
    /** This scan cannot be sure of the answer: read the record with the full parser. */
    static final long UNSURE = -3;
    private static final int DEPTH = 32;
    /** Longer strings and numbers than these are left to the parser, which has limits of its own. */
    private static final int LONGEST_STRING = 10_000;
    private static final int LONGEST_NUMBER = 100;

    private CanaryScan() {
    }

    /**
     * As {@link CanaryCodec#seq}, or {@link #UNSURE}. The fields are read in order, as the
     * parser reads them, and the scan stops where it would: at a {@code run} of another run, or
     * once the run and a canary id of it have both been met.
     */
    static long seq(byte[] b, String runId, String prefix) {
        int i = ws(b, 0);
        if (i >= b.length) {
            return CanaryCodec.NOT_OURS;
        }
        if (b[i] != '{') {
            // Jackson takes a byte-order mark or another encoding's first bytes for text; this scan does not try.
            return b[i] < 0 || b[i] == 0 ? UNSURE : CanaryCodec.NOT_OURS;
        }
        boolean run = false;
        long seq = CanaryCodec.NOT_OURS;
        i = ws(b, i + 1);
        if (i < b.length && b[i] == '}') {
            return CanaryCodec.NOT_OURS;
        }
        while (true) {
            int keyFrom = i + 1;
            int keyEnd = string(b, i);
            if (keyEnd < 0) {
                return UNSURE;
            }
            i = ws(b, keyEnd + 1);
            if (i >= b.length || b[i] != ':') {
                return UNSURE;
            }
            i = ws(b, i + 1);
            if (i >= b.length) {
                return UNSURE;
            }
            boolean isString = b[i] == '"';
            int valueEnd = isString ? string(b, i) : value(b, i, 0);
            if (valueEnd < 0) {
                return UNSURE;
            }
            if (isString && is(b, keyFrom, keyEnd, "run")) {
                if (!is(b, i + 1, valueEnd, runId)) {
                    return CanaryCodec.NOT_OURS;
                }
                run = true;
            } else if (isString && is(b, keyFrom, keyEnd, "id")) {
                seq = number(b, i + 1, valueEnd, prefix);
            }
            if (run && seq != CanaryCodec.NOT_OURS) {
                return seq;
            }
            i = ws(b, isString ? valueEnd + 1 : valueEnd);
            if (i >= b.length) {
                return UNSURE;
            }
            if (b[i] == '}') {
                return CanaryCodec.NOT_OURS;
            }
            if (b[i] != ',') {
                return UNSURE;
            }
            i = ws(b, i + 1);
        }
    }

    /** {@link CanaryCodec#number} over ASCII bytes {@code [from, end)}. */
    private static long number(byte[] b, int from, int end, String prefix) {
        int n = prefix.length();
        if (end - from < n) {
            return CanaryCodec.NOT_OURS;
        }
        for (int k = 0; k < n; k++) {
            if (b[from + k] != prefix.charAt(k)) {
                return CanaryCodec.NOT_OURS;
            }
        }
        int digits = end - from - n;
        if (digits < 1 || digits > 18 || (digits > 1 && b[from + n] == '0')) {
            return CanaryCodec.ODD;
        }
        long seq = 0;
        for (int k = from + n; k < end; k++) {
            int d = b[k] - '0';
            if (d < 0 || d > 9) {
                return CanaryCodec.ODD;
            }
            seq = seq * 10 + d;
        }
        return seq;
    }

    private static boolean is(byte[] b, int from, int end, String text) {
        if (end - from != text.length()) {
            return false;
        }
        for (int k = 0; k < text.length(); k++) {
            if (b[from + k] != text.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int ws(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The index of the closing quote of the plain string opening at {@code i}; -1 where this scan is not sure. */
    private static int string(byte[] b, int i) {
        if (i >= b.length || b[i] != '"') {
            return -1;
        }
        int end = Math.min(b.length, i + 1 + LONGEST_STRING);
        for (int k = i + 1; k < end; k++) {
            byte c = b[k];
            if (c == '"') {
                return k;
            }
            if (c == '\\' || c < 0x20) {
                // An escape, a control character or a byte outside ASCII (negative): the parser decides.
                return -1;
            }
        }
        return -1;
    }

    /** The index just past the value (not a string) opening at {@code i}; -1 where this scan is not sure. */
    private static int value(byte[] b, int i, int depth) {
        byte c = b[i];
        if (c == '{' || c == '[') {
            return depth >= DEPTH ? -1 : container(b, i, depth + 1);
        }
        if (c == 't') {
            return literal(b, i, "true");
        }
        if (c == 'f') {
            return literal(b, i, "false");
        }
        if (c == 'n') {
            return literal(b, i, "null");
        }
        return numberEnd(b, i);
    }

    private static int container(byte[] b, int i, int depth) {
        boolean object = b[i] == '{';
        byte close = (byte) (object ? '}' : ']');
        i = ws(b, i + 1);
        if (i < b.length && b[i] == close) {
            return i + 1;
        }
        while (i < b.length) {
            if (object) {
                int keyEnd = string(b, i);
                if (keyEnd < 0) {
                    return -1;
                }
                i = ws(b, keyEnd + 1);
                if (i >= b.length || b[i] != ':') {
                    return -1;
                }
                i = ws(b, i + 1);
            }
            if (i >= b.length) {
                return -1;
            }
            int end = b[i] == '"' ? string(b, i) : value(b, i, depth);
            if (end < 0) {
                return -1;
            }
            i = ws(b, b[i] == '"' ? end + 1 : end);
            if (i >= b.length) {
                return -1;
            }
            if (b[i] == close) {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i = ws(b, i + 1);
        }
        return -1;
    }

    private static int literal(byte[] b, int i, String word) {
        if (!is(b, i, Math.min(b.length, i + word.length()), word)) {
            return -1;
        }
        return delimited(b, i + word.length());
    }

    /** A number as JSON spells it: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private static int numberEnd(byte[] b, int start) {
        int i = start;
        if (i < b.length && b[i] == '-') {
            i++;
        }
        if (i >= b.length || !digit(b[i])) {
            return -1;
        }
        if (b[i] == '0') {
            i++;
        } else {
            i = digits(b, i);
        }
        if (i < b.length && b[i] == '.') {
            int from = i + 1;
            i = digits(b, from);
            if (i == from) {
                return -1;
            }
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int from = i;
            i = digits(b, from);
            if (i == from) {
                return -1;
            }
        }
        return i - start > LONGEST_NUMBER ? -1 : delimited(b, i);
    }

    private static int digits(byte[] b, int i) {
        while (i < b.length && digit(b[i])) {
            i++;
        }
        return i;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** {@code i} when a value may end there (what follows is a separator the caller checks); -1 otherwise. */
    private static int delimited(byte[] b, int i) {
        if (i >= b.length) {
            return -1;
        }
        byte c = b[i];
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t' ? i : -1;
    }
}

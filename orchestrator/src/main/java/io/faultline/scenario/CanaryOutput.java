package io.faultline.scenario;

import com.fasterxml.jackson.core.JsonPointer;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.faultline.protocol.InvalidFieldException;

/**
 * Where to find the canary id in what the system under test writes to the output topic: exactly
 * one of a header, a JSON pointer into the value, the record key, or a regular expression over
 * the value (RE2 syntax, linear time; its first group is the id, or the whole match when it has
 * none). Without one, the value must be Faultline's own JSON canary (the id at {@code /id}).
 *
 * @param header      the header whose value is the canary id
 * @param jsonPointer an RFC 6901 pointer to the id in a JSON value, e.g. {@code /paymentId}
 * @param key         true when the record key is the canary id
 * @param regex       a regular expression over the value, read as UTF-8
 */
public record CanaryOutput(String header, String jsonPointer, Boolean key, String regex) {
    public CanaryOutput {
        int given = (header != null ? 1 : 0) + (jsonPointer != null ? 1 : 0) + (Boolean.TRUE.equals(key) ? 1 : 0)
                + (regex != null ? 1 : 0);
        if (given != 1) {
            throw new InvalidFieldException("", (given == 0 ? "say where the canary id is: " : "give only one of ")
                    + "header, jsonPointer, key: true or regex");
        }
        if (header != null && header.isBlank()) {
            throw new InvalidFieldException("header", "needs a header name");
        }
        if (jsonPointer != null) {
            try {
                JsonPointer.compile(jsonPointer);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("jsonPointer", "'" + jsonPointer
                        + "' is not a JSON pointer (it starts with '/', e.g. /paymentId)");
            }
            if (jsonPointer.isEmpty()) {
                throw new InvalidFieldException("jsonPointer", "'' points at the whole value; name a field, e.g. /paymentId");
            }
        }
        if (regex != null) {
            Pattern p;
            try {
                p = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new InvalidFieldException("regex", "'" + regex + "' is not a valid regular expression: "
                        + e.getDescription());
            }
            if (p.groupCount() > 1) {
                throw new InvalidFieldException("regex", "has " + p.groupCount()
                        + " groups; give one group around the id, or none for the whole match");
            }
        }
    }

    /** Where the id is, in words, for diagnoses. */
    public String describe() {
        if (header != null) {
            return "in header " + header;
        }
        if (jsonPointer != null) {
            return "at JSON pointer " + jsonPointer;
        }
        if (regex != null) {
            return "matching /" + regex + "/";
        }
        return "as the record key";
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;

/**
 * The one JSON codec for everything Faultline writes to Kafka or to report files.
 * Decoding never lets a Jackson or constructor exception escape: it throws {@link JsonCodecException}
 * with a message fit for a telemetry event.
 */
public final class Json {
    private static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private Json() {
    }

    /** Applies Faultline's wire conventions (ISO-8601 instants and durations) to a mapper, JSON or YAML. */
    public static <M extends ObjectMapper> M configure(M mapper) {
        mapper.registerModule(new JavaTimeModule());
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        // Newer senders may add fields; older readers keep working.
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        return mapper;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static String encodePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T decode(byte[] bytes, Class<T> type) {
        if (bytes == null) {
            throw new JsonCodecException("empty record");
        }
        try {
            return MAPPER.readValue(bytes, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new JsonCodecException("invalid " + type.getSimpleName() + ": " + at(e) + cause.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new JsonCodecException("malformed " + type.getSimpleName() + ": " + describe(e), e);
        }
    }

    /**
     * What is wrong with a record, in words: the field, what it should hold and what it held,
     * without Jackson's type names, tokens or source locations.
     */
    static String describe(Exception e) {
        if (e instanceof InvalidTypeIdException t) {
            return at(t) + (t.getTypeId() == null ? "no type given" : "unknown type '" + t.getTypeId() + "'");
        }
        if (e instanceof InvalidFormatException f) {
            return at(f) + "'" + f.getValue() + "' is not " + words(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            return at(m) + (m.getTargetType() == null ? "unexpected value" : "expected " + words(m.getTargetType()));
        }
        String text = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        // Whatever else Jackson says: no qualified names, token constants or source descriptions.
        return firstLine(text).replaceAll(" ?\\(token `?JsonToken\\.\\w+`?\\)", "")
                .replaceAll(" ?\\([^()]*?\\[Source:.*?\\]\\)", "").replaceAll(" ?at \\[Source:.*?\\]", "").replaceAll("`[\\w.$]+`", "a value")
                .replaceAll("(?:java|com\\.fasterxml|io\\.faultline)[\\w.$]*\\.(\\w+)", "$1").strip();
    }

    /** The field a Jackson exception points at, "a.b[2].c: ", or nothing. */
    private static String at(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "" : b + ": ";
    }

    private static String words(Class<?> type) {
        if (type == Instant.class) {
            return "a time such as 2026-11-25T10:00:00Z";
        }
        if (type == Duration.class) {
            return "a duration such as PT30S";
        }
        if (type == String.class) {
            return "text";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "an object";
    }

    public static <T> T decode(String text, Class<T> type) {
        return decode(text == null ? null : text.getBytes(StandardCharsets.UTF_8), type);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** A record that could not be decoded; the message says why without a stack trace. */
    public static final class JsonCodecException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JsonCodecException(String message) {
            super(message);
        }

        JsonCodecException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

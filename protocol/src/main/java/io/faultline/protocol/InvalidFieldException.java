package io.faultline.protocol;

/**
 * Thrown by a wire type's constructor when one of its fields holds an invalid value.
 * Carries the field name so that loaders can point at the offending line of a file.
 */
public class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidFieldException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}

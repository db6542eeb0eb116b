package io.faultline.scenario;

import java.nio.file.Path;

/**
 * A scenario file that cannot be used. The message reads like a compiler's:
 * {@code FILE:LINE:COLUMN: FIELD: what is wrong}.
 */
public class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final int line;
    private final int column;
    private final String field;
    private final String reason;

    public ScenarioException(Path file, int line, int column, String field, String reason) {
        super(format(file, line, column, field, reason));
        this.file = file;
        this.line = line;
        this.column = column;
        this.field = field;
        this.reason = reason;
    }

    private static String format(Path file, int line, int column, String field, String reason) {
        StringBuilder b = new StringBuilder(String.valueOf(file));
        if (line > 0) {
            b.append(':').append(line);
            if (column > 0) {
                b.append(':').append(column);
            }
        }
        b.append(": ");
        if (field != null && !field.isEmpty()) {
            b.append(field).append(": ");
        }
        return b.append(reason).toString();
    }

    public Path file() {
        return file;
    }

    /** 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The path of the offending field, e.g. {@code steps[1].inject.fault.signal}. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}

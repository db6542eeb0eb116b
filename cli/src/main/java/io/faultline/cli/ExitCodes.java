package io.faultline.cli;

import io.faultline.protocol.Verdict;

/** Faultline's documented exit codes. */
public final class ExitCodes {
    /** Every check passed. */
    public static final int PASSED = 0;
    /** At least one check failed. */
    public static final int FAILED = 1;
    /** Invalid input: scenario file, flags. */
    public static final int INVALID_INPUT = 2;
    /** Infrastructure error: broker unreachable, agent missing, canary not flowing, fault not applied. */
    public static final int INFRASTRUCTURE = 3;
    /** The run was aborted: a halt, or a stop condition tripped. Every fault was undone. */
    public static final int ABORTED = 4;
    /** An internal error: a bug in Faultline, never a verdict on the system under test. */
    public static final int INTERNAL = 5;

    private ExitCodes() {
    }

    public static int of(Verdict.Status status) {
        return switch (status) {
            case PASSED -> PASSED;
            case FAILED -> FAILED;
            case ABORTED -> ABORTED;
            case ERROR -> INFRASTRUCTURE;
        };
    }
}

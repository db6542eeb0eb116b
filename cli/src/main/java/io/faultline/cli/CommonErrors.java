package io.faultline.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns what a subcommand throws into a message and a documented exit code. Knows no orchestrator
 * type, so the agent can use it from its own class path.
 */
final class CommonErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("faultline: invalid input: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        org.slf4j.LoggerFactory.getLogger(Faultline.class).debug("unexpected error", e);
        err.println("faultline: unexpected error: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        return ExitCodes.INFRASTRUCTURE;
    }
}

package io.faultline.cli;

import io.faultline.protocol.HttpServerLimits;
import picocli.CommandLine;

/**
 * {@code faultline agent} on its own. The launcher and the image start agents here, from a class
 * path that holds the agent runtime and its drivers only: no broker, orchestrator or example system.
 */
public final class AgentMain {
    private AgentMain() {
    }

    static CommandLine commandLine() {
        return new CommandLine(new AgentCommand()).setExecutionExceptionHandler(new CommonErrors());
    }

    public static void main(String[] args) {
        // Before any HTTP server starts: a slow client must not hold one for ever.
        HttpServerLimits.apply();
        System.exit(commandLine().execute(args));
    }
}

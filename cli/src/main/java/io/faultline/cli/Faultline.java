package io.faultline.cli;

import io.faultline.protocol.HttpServerLimits;
import io.faultline.engine.InfrastructureException;
import io.faultline.scenario.ScenarioException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command line. */
@Command(name = "faultline", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = "Chaos and failover game-days on Kafka.",
        subcommands = {InitCommand.class, RunCommand.class, PlanCommand.class, ValidateCommand.class, SchemaCommand.class, ReplayCommand.class,
                HistoryCommand.class, AgentsCommand.class, ExporterCommand.class, HaltCommand.class,
                AgentCommand.class, AlertBridgeCommand.class, KeysCommand.class, DemoCommand.class, BrokerCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every check passed",
            "1:a check failed",
            "2:invalid input (scenario file, flags)",
            "3:infrastructure error (broker unreachable, agent missing, fault not applied, plan not runnable)",
            "4:aborted (halt, or a stop condition tripped); every fault was undone",
            "5:internal error (a bug in Faultline)"})
public final class Faultline implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Faultline());
        CommonErrors common = new CommonErrors();
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof ScenarioException) {
                err.println("faultline: invalid scenario: " + e.getMessage());
                return ExitCodes.INVALID_INPUT;
            }
            if (e instanceof InfrastructureException) {
                err.println("faultline: " + e.getMessage());
                return ExitCodes.INFRASTRUCTURE;
            }
            return common.handleExecutionException(e, commandLine, parseResult);
        });
        return cl;
    }

    public static void main(String[] args) {
        // Before any HTTP server starts: a slow client must not hold one for ever.
        HttpServerLimits.apply();
        System.exit(commandLine().execute(args));
    }
}

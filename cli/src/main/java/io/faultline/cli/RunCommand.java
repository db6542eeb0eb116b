package io.faultline.cli;

import io.faultline.engine.AlertSources;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.RunResult;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.Durations;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline run}: runs one game-day against agents already attached to a Kafka cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a game-day scenario: preflight, canary traffic, faults, verification, verdict.")
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (YAML).")
    Path scenarioFile;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--report-dir", defaultValue = "faultline-runs",
            description = "Reports go to DIR/RUN_ID/ (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Option(names = "--agent-wait", defaultValue = "15s",
            description = "How long preflight waits for the targeted agents (default: ${DEFAULT-VALUE}).")
    String agentWait;

    @Option(names = "--command-timeout", defaultValue = "15s",
            description = "How long to wait for an agent's report on each command (default: ${DEFAULT-VALUE}). A "
                    + "fault that freezes a broker holds up reports until the cluster fences it: allow for its "
                    + "broker.session.timeout.ms.")
    String commandTimeout;

    @Mixin
    SigningOptions signing = new SigningOptions();

    @Mixin
    AgentKeys agentKeys = new AgentKeys();

    @Option(names = "--alert-webhook", paramLabel = "HOST:PORT",
            description = "Receive Alertmanager's webhook (POST /alerts, payload v4) here during the run.")
    String alertWebhook;

    @Option(names = "--alertmanager", paramLabel = "URL",
            description = "Poll this Alertmanager's API v2 for alerts every second (a fallback when its webhook "
                    + "cannot reach the orchestrator). Alert bridges on the telemetry topic are always read.")
    URI alertmanager;

    @Mixin
    WebhookToken webhookToken = new WebhookToken();

    @Mixin
    ScenarioParams params = new ScenarioParams();

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code text} as a duration; an error that names the option when it is not one. */
    private static Duration duration(String option, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        Scenario scenario = ScenarioLoader.load(scenarioFile, params.values());
        Duration wait = duration("--agent-wait", agentWait);
        AlertSources alerts = new AlertSources(
                alertWebhook == null ? null : Addresses.parse("--alert-webhook", alertWebhook), alertmanager,
                alertWebhook == null ? null : webhookToken.token());
        return run(scenario, kafka.connection(), kafka.topics(), wait, duration("--command-timeout", commandTimeout), reportDir,
                spec.commandLine().getOut(), signing.signer(), agentKeys.keys(), alerts);
    }

    /**
     * Runs {@code scenario}, writes its reports and prints the summary; returns the exit code. The
     * first Ctrl-C or SIGTERM heals and ends the run ABORTED ({@link Interrupts}).
     */
    @SuppressWarnings("try") // the signal handlers work by being installed
    static int run(Scenario scenario, KafkaConnection kafka, Topics topics, Duration agentWait,
                   Duration commandTimeout, Path reportDir, PrintWriter out, CommandSigner signer, Map<String, PublicKey> agentKeys,
                   AlertSources alerts) throws Exception {
        String bootstrapServers = kafka.bootstrapServers();
        Clock clock = Clock.systemUTC();
        RunOptions options = RunOptions.builder(bootstrapServers, signer).topics(topics).agentWait(agentWait)
                .commandTimeout(commandTimeout)
                .progress(System.out).clientSettings(kafka.settings()).agentKeys(agentKeys).build();
        String runId = GameDay.newRunId(scenario.name(), clock);
        out.println("Running " + scenario.name() + " as " + runId + " against " + bootstrapServers);
        out.flush();
        GameDay gameDay = new GameDay(options, alerts, clock);
        RunResult result;
        try (Interrupts interrupts = Interrupts.install(gameDay, System.err)) {
            result = gameDay.run(scenario, runId);
        }
        Verdict verdict = result.verdict();
        Path html = Reports.writeAll(reportDir.resolve(runId), verdict, result.timeline());
        if (result.evidence() != null) {
            Reports.writeEvidence(reportDir.resolve(runId), result.evidence());
        }
        out.print(Reports.summary(verdict));
        out.println("Reports in " + html.getParent() + ": verdict.json, junit.xml, summary.md, report.html"
                + (result.evidence() != null ? ", evidence/" : ""));
        out.flush();
        return ExitCodes.of(verdict.status());
    }
}

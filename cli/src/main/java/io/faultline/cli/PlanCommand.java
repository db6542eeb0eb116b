package io.faultline.cli;

import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.Plan;
import io.faultline.engine.Planner;
import io.faultline.protocol.Durations;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.scenario.Step;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline plan}: a dry run that changes nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Dry run: resolve each step's target to live agents, check their capabilities, have each agent "
                + "check the signed command against its keys and policy, sample the stop conditions, and print the "
                + "timeline. Applies no fault. Exit 0 if the scenario would run, 3 if not.")
public final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (YAML).")
    Path scenarioFile;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--agent-wait", defaultValue = "15s",
            description = "How long to wait for each target's agents (default: ${DEFAULT-VALUE}).")
    String agentWait;

    @Option(names = "--canary", description = "Also send canaries through the system under test until the first comes "
            + "back (within the scenario's preflightTimeout): catches a canary that cannot be verified before the "
            + "game-day. The only traffic a plan sends.")
    boolean canary;

    @Mixin
    SigningOptions signing = new SigningOptions();

    @Mixin
    AgentKeys agentKeys = new AgentKeys();

    @Mixin
    ScenarioParams params = new ScenarioParams();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Scenario scenario = ScenarioLoader.load(scenarioFile, params.values());
        Clock clock = Clock.systemUTC();
        RunOptions options = RunOptions.builder(kafka.bootstrapServers, signing.signer()).topics(kafka.topics())
                .agentWait(Durations.parse(agentWait)).clientSettings(kafka.connection().settings())
                .agentKeys(agentKeys.keys()).build();
        String runId = "plan-" + GameDay.newRunId(scenario.name(), clock);
        Plan plan = new Planner(options, clock).plan(scenario, runId, canary);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Plan for " + scenario.name() + " (" + scenarioFile + ") against " + kafka.bootstrapServers + ":");
        render(plan, scenario).forEach(l -> out.println("  " + l));
        if (plan.runnable()) {
            out.println("Runnable: every step has agents that would carry it out" + (canary
                    ? " and the canary comes back. No fault was applied." : ". Nothing was changed."));
            out.flush();
            return ExitCodes.PASSED;
        }
        out.println("Not runnable now (" + plan.problems().size() + " problem" + (plan.problems().size() == 1 ? "" : "s")
                + "); nothing was changed:");
        plan.problems().forEach(p -> out.println("  - " + p));
        out.flush();
        return ExitCodes.INFRASTRUCTURE;
    }

    /** The plan's timeline as the lines {@code plan} prints, times first. */
    static List<String> render(Plan plan, Scenario scenario) {
        List<String> lines = new ArrayList<>();
        for (Plan.Entry e : plan.timeline()) {
            lines.add(when(e.at()) + e.what());
            for (Plan.Answer a : e.answers()) {
                lines.add("             -> " + a.agentId() + ": " + switch (a.kind()) {
                    case READY -> a.detail();
                    case REFUSED -> "REFUSED " + a.detail();
                    case LACKS -> "lacks " + a.detail();
                    case NO_ANSWER -> "no answer";
                });
            }
        }
        if (!plan.timeline().isEmpty()) {
            ChecksSpec c = scenario.checks();
            lines.add(when(plan.drainAt()) + "drain up to " + Durations.format(scenario.drain()) + ", then check: failover "
                    + (c.failover() == null ? "measured" : "<= " + Durations.format(c.failover()))
                    + ", lost <= " + c.lost() + ", duplicated <= " + c.duplicated()
                    + (c.latencyRecovery() == null ? "" : ", latency back within " + Durations.format(c.latencyRecovery()))
                    + (c.circuit() == null ? "" : ", circuit " + c.circuit().name() + " closes within "
                            + Durations.format(c.circuit().closesWithin())));
            for (Step r : scenario.rollbacks()) {
                lines.add(when(plan.drainAt()) + "rollback " + r.name() + " (" + r.action().describe() + "), within "
                        + Durations.format(r.action().timeout()) + ": after the steps, however they end");
            }
        }
        return lines;
    }

    private static String when(Duration at) {
        return at == null ? " ".repeat(11) : String.format("t+%-8s ", Durations.format(at));
    }
}

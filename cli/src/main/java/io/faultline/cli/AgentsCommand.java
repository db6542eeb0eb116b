package io.faultline.cli;

import io.faultline.engine.KafkaClients;
import io.faultline.history.AgentRoster;
import io.faultline.protocol.Durations;
import io.faultline.protocol.Json;
import io.faultline.protocol.TelemetrySignature;
import io.faultline.report.Reports;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code faultline agents}: the fleet from its heartbeats: who is there, what each holds, what is wrong. */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = "List the agents heard from on the telemetry topic: id, host, whether it still beats, labels, "
                + "the faults it holds (an undo still being tried included) and its problems.")
public final class AgentsCommand implements Callable<Integer> {
    /** An agent whose last heartbeat is older than this is shown as silent. */
    static final Duration LIVE_WITHIN = Duration.ofSeconds(15);

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "5m",
            description = "Agents heard from this long ago or less (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--json", description = "One JSON array of agents instead of the table, for machines.")
    boolean json;

    @Mixin
    AgentKeys agentKeys = new AgentKeys();

    @Spec
    CommandLine.Model.CommandSpec spec;

    private static void refusals(PrintWriter out, AgentRoster.Fleet fleet) {
        if (fleet.refused() > 0) {
            out.println(Reports.printable(fleet.refused() + " heartbeat(s) not believed, not listed; the latest: "
                    + fleet.latestRefusal()));
        }
    }

    @Override
    public Integer call() throws Exception {
        Duration window;
        try {
            window = Durations.parse(since);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--since " + since + ": " + e.getMessage());
        }
        try (var admin = KafkaClients.admin(kafka.connection())) {
            KafkaClients.checkReachable(admin, kafka.bootstrapServers, Duration.ofSeconds(15));
        }
        Clock clock = Clock.systemUTC();
        TelemetrySignature trust = agentKeys.signature();
        AgentRoster.Fleet fleet = AgentRoster.read(kafka.connection(), kafka.topics().telemetry(),
                clock.instant().minus(window), LIVE_WITHIN, clock, Duration.ofMinutes(1), trust);
        List<AgentRoster.Agent> agents = fleet.agents();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.encodePretty(agents));
            out.flush();
            return ExitCodes.PASSED;
        }
        if (agents.isEmpty()) {
            out.println("No agent heard from on " + kafka.topics().telemetry() + " in the last " + since + ".");
            refusals(out, fleet);
            out.flush();
            return ExitCodes.PASSED;
        }
        out.printf(Locale.ROOT, "%-24s  %-16s  %-12s  %-6s  %s%n", "agent", "host", "state", "faults", "labels");
        for (AgentRoster.Agent a : agents) {
            var hb = a.heartbeat();
            String state = a.live() ? "live" : "silent " + Durations.format(a.silentFor().withNanos(0));
            out.print(Reports.printable(String.format(Locale.ROOT, "%-24s  %-16s  %-12s  %-6d  %s%n", hb.agentId(),
                    hb.host() == null ? "-" : hb.host(), state, hb.activeFaults().size(), hb.labels())));
            for (String f : hb.activeFaults()) {
                out.println(Reports.printable("    holds " + f));
            }
            for (String p : hb.problems()) {
                out.println(Reports.printable("    problem: " + p));
            }
            if (a.signedBy() != null) {
                out.println(Reports.printable("    signed by key " + a.signedBy()));
            }
        }
        if (trust == null) {
            out.println("Heartbeats not checked: give --agent-keys to list only agents whose signature verifies.");
        }
        refusals(out, fleet);
        out.flush();
        return ExitCodes.PASSED;
    }
}

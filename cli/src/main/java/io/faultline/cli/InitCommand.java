package io.faultline.cli;

import io.faultline.engine.FaultlineTopics;
import io.faultline.engine.InfrastructureException;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline init}: creates Faultline's topics on a cluster, once; running it again changes nothing. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create Faultline's topics (commands, telemetry, verdicts, halt) with their settings: "
                + "replication from the cluster's size (3 at most, min.insync.replicas one less), the halt topic "
                + "compacted, commands kept 1 day, telemetry 7 days, verdicts 365 days. Existing topics are left as "
                + "they are and described. Run it once per cluster, before agents start.",
                "Exit codes: 0 done, 3 Kafka unreachable or a topic could not be created."})
public final class InitCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InfrastructureException {
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = KafkaClients.admin(kafka.connection())) {
            KafkaClients.checkReachable(admin, kafka.bootstrapServers, Duration.ofSeconds(15));
            int brokers = FaultlineTopics.brokers(admin);
            List<FaultlineTopics.Outcome> outcomes = FaultlineTopics.ensure(admin,
                    FaultlineTopics.specs(kafka.topics(), brokers));
            out.printf("%d broker%s at %s%n", brokers, brokers == 1 ? "" : "s", kafka.bootstrapServers);
            for (FaultlineTopics.Outcome o : outcomes) {
                out.printf("  %-24s %-8s %d partition%s, replication %d%s%n", o.spec().name(),
                        o.created() ? "created" : "exists", o.partitions(), o.partitions() == 1 ? "" : "s",
                        o.replicationFactor(), o.created() ? ", " + settings(o.spec().configs()) : "");
                o.problems().forEach(p -> out.println("    warning: " + p));
            }
        }
        return ExitCodes.PASSED;
    }

    private static String settings(Map<String, String> configs) {
        StringBuilder b = new StringBuilder();
        configs.forEach((k, v) -> {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(k).append('=').append(k.equals("retention.ms")
                    ? Durations.format(Duration.ofMillis(Long.parseLong(v))) : v);
        });
        return b.toString();
    }
}

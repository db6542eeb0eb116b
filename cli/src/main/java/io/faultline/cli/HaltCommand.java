package io.faultline.cli;

import io.faultline.engine.FaultlineTopics;
import io.faultline.engine.InfrastructureException;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Halt;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline halt}: every agent undoes every fault now, with or without an orchestrator. */
@Command(name = "halt", mixinStandardHelpOptions = true,
        description = "Stop all chaos now: every agent undoes every fault it holds within a second, and a run in "
                + "progress ends ABORTED (exit 4). Works with no orchestrator running.")
public final class HaltCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--reason", defaultValue = "halted from the command line", description = "Why; shown in the verdict.")
    String reason;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InfrastructureException, InterruptedException {
        Topics topics = kafka.topics();
        try (Admin admin = KafkaClients.admin(kafka.connection())) {
            KafkaClients.checkReachable(admin, kafka.bootstrapServers, Duration.ofSeconds(15));
            // Only the halt topic: whoever may halt need not be allowed to create the others.
            FaultlineTopics.ensure(admin, FaultlineTopics.specs(topics,
                    FaultlineTopics.brokers(admin)).stream()
                    .filter(t -> t.name().equals(topics.halt())).toList());
        }
        Halt halt = new Halt(Instant.now(), reason, System.getProperty("user.name") + "@" + host());
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka.connection(), "faultline-halt")) {
            producer.send(new ProducerRecord<>(topics.halt(), Halt.KEY, Json.encode(halt))).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String denied = KafkaClients.denied(e, "write", topics.halt());
            throw new InfrastructureException("cannot publish the halt to " + topics.halt() + ": "
                    + (denied != null ? denied : e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        }
        spec.commandLine().getOut().println("halt published to " + topics.halt() + " at " + halt.at()
                + ": every agent undoes its faults now");
        return ExitCodes.PASSED;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}

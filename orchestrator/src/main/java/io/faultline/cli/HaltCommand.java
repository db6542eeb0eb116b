package io.faultline.cli;

import io.faultline.engine.InfrastructureException;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Halt;
import io.faultline.protocol.Json;
import io.faultline.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code faultline halt}: every agent undoes every fault now, with or without an orchestrator. */
@Command(name = "halt", mixinStandardHelpOptions = true,
        description = "Stop all chaos now: every agent undoes every fault it holds within a second, and a run in "
                + "progress ends ABORTED (exit 4). Works with no orchestrator running.")
public final class HaltCommand implements Callable<Integer> {
    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:FAULTLINE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $FAULTLINE_BOOTSTRAP_SERVERS or localhost:9092).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of Faultline's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--reason", defaultValue = "halted from the command line", description = "Why; shown in the verdict.")
    String reason;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InfrastructureException, InterruptedException {
        Topics topics = new Topics(topicPrefix);
        try (Admin admin = KafkaClients.admin(bootstrapServers)) {
            KafkaClients.checkReachable(admin, bootstrapServers, Duration.ofSeconds(15));
            KafkaClients.ensureFaultlineTopics(admin, topics);
        }
        Halt halt = new Halt(Instant.now(), reason, System.getProperty("user.name") + "@" + host());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "faultline-halt");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topics.halt(), Halt.KEY, Json.encode(halt))).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new InfrastructureException("cannot publish the halt to " + topics.halt() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        }
        spec.commandLine().getOut().println("halt published to " + topics.halt() + " at " + halt.at()
                + ": every agent undoes its faults now");
        return ExitCodes.PASSED;
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }
}

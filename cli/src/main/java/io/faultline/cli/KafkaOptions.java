package io.faultline.cli;

import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Topics;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where Faultline's Kafka is and what its topics are called: shared by every command that talks to it. */
final class KafkaOptions {
    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:FAULTLINE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $FAULTLINE_BOOTSTRAP_SERVERS or localhost:9092).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of Faultline's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--command-config", paramLabel = "FILE", defaultValue = "${env:FAULTLINE_COMMAND_CONFIG}",
            description = "Kafka client properties (TLS, SASL) every client takes, as Kafka's own tools take them "
                    + "(default: $FAULTLINE_COMMAND_CONFIG).")
    Path commandConfig;

    private KafkaConnection connection;

    /** The bootstrap servers with the client settings of {@code --command-config}, read once. */
    KafkaConnection connection() {
        if (connection == null) {
            connection = new KafkaConnection(bootstrapServers,
                    commandConfig == null ? Map.of() : ClientSettingsFile.load(commandConfig));
        }
        return connection;
    }

    Topics topics() {
        return new Topics(topicPrefix);
    }
}

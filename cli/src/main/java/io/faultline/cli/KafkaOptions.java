package io.faultline.cli;

import io.faultline.protocol.Topics;
import picocli.CommandLine.Option;

/** Where Faultline's Kafka is and what its topics are called: shared by every command that talks to it. */
final class KafkaOptions {
    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:FAULTLINE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $FAULTLINE_BOOTSTRAP_SERVERS or localhost:9092).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of Faultline's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    Topics topics() {
        return new Topics(topicPrefix);
    }
}

package io.faultline.cli;

import io.faultline.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code faultline broker}: a local single-node Kafka broker for trying Faultline out. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Start a local single-node KRaft Kafka broker on loopback and print its address.",
                "Exit codes: 0 stopped with Ctrl-C, 2 bad option, 3 the port is taken or the broker did not start."})
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Data directory (default: a new temporary directory).")
    Path dir;

    @Option(names = "--port", defaultValue = "0",
            description = "Client port, so every shell can use the same address (default: a free port).")
    int port;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path data = dir != null ? dir : Files.createTempDirectory("faultline-broker-");
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port " + port
                    + ": not a port (1-65535, or 0 for a free one)");
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data, "127.0.0.1", port)) {
            spec.commandLine().getOut().println("bootstrap.servers=" + kafka.bootstrapServers());
            spec.commandLine().getOut().println("Broker log: " + data.resolve("broker.log") + " (Ctrl-C stops it)");
            spec.commandLine().getOut().flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }
}

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
        description = "Start a local single-node KRaft Kafka broker on a free loopback port and print its address.")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Data directory (default: a new temporary directory).")
    Path dir;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path data = dir != null ? dir : Files.createTempDirectory("faultline-broker-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data)) {
            spec.commandLine().getOut().println("bootstrap.servers=" + kafka.bootstrapServers());
            spec.commandLine().getOut().println("Broker log: " + data.resolve("broker.log") + " (Ctrl-C stops it)");
            spec.commandLine().getOut().flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }
}

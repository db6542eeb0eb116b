package io.faultline.agent;

import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.protocol.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code faultline agent}: runs an agent beside a service until it is stopped. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run an agent that executes chaos commands addressed to it and reports on telemetry.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--id", required = true, description = "Agent id, unique in the cluster.")
    String id;

    @Option(names = "--label", description = "Label key=value; repeatable. Commands may target agents by labels.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of Faultline's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--service-pid-file",
            description = "Pid file of the service this agent sits beside; process faults that name no process act on it.")
    Path servicePidFile;

    @Option(names = "--heartbeat-interval-ms", defaultValue = "1000",
            description = "How often to publish a heartbeat (default: ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--exit-with-parent", hidden = true,
            description = "Exit when standard input closes (used when launched by 'faultline demo').")
    boolean exitWithParent;

    @Override
    public Integer call() {
        AgentConfig config = new AgentConfig(id, labels, bootstrapServers, new Topics(topicPrefix),
                Duration.ofMillis(heartbeatMs), servicePidFile);
        Agent agent = new Agent(config, Clock.systemUTC(),
                List.of(new ProcessKillDriver(CommandRunner.SYSTEM, servicePidFile)));
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
        if (exitWithParent) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // Only the end of the stream matters.
                    }
                } catch (java.io.IOException e) {
                    // Same as end of stream.
                }
                System.exit(0);
            }, "parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
        agent.run();
        return 0;
    }
}

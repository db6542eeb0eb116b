package io.faultline.examples;

import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.RedisAddress;
import io.faultline.protocol.TelemetrySigner;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Command line of the example order listener. */
@Command(name = "order-listener", mixinStandardHelpOptions = true,
        description = "Reads orders and writes one result per order; the example system under test.")
public final class OrderListenerMain implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--mode", defaultValue = "exactly-once",
            description = "exactly-once, at-least-once or at-most-once (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--instance", description = "Instance name, used as client.id (default: host-pid).")
    String instance;

    @Option(names = "--group", defaultValue = "order-listeners", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--input", defaultValue = "orders", description = "Input topic (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--output", defaultValue = "orders.processed", description = "Output topic (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--processing-ms", defaultValue = "200", description = "Time to process one order (default: ${DEFAULT-VALUE}).")
    long processingMs;

    @Option(names = "--commit-interval-ms", defaultValue = "1000",
            description = "at-least-once: how often offsets are committed (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--session-timeout-ms", defaultValue = "45000",
            description = "Consumer session timeout: how long a crashed member keeps its partitions (default: ${DEFAULT-VALUE}).")
    long sessionTimeoutMs;

    @Option(names = "--group-protocol", defaultValue = "classic",
            description = "The consumer group's rebalance protocol: classic, or consumer (KIP-848, where the broker "
                    + "assigns and the session timeout is the broker's) (default: ${DEFAULT-VALUE}).")
    String groupProtocol;

    @Option(names = "--transaction-timeout-ms", defaultValue = "60000",
            description = "exactly-once: how long a crashed member's open transaction blocks readers (default: ${DEFAULT-VALUE}).")
    long transactionTimeoutMs;

    @Option(names = "--redis", paramLabel = "HOST:PORT",
            description = "Cache processed orders in this Redis, behind a circuit breaker (default: no cache).")
    String redis;

    @Option(names = "--redis-timeout-ms", defaultValue = "500",
            description = "Connect and read timeout of each Redis call (default: ${DEFAULT-VALUE}).")
    long redisTimeoutMs;

    @Option(names = "--telemetry-topic", defaultValue = "faultline.telemetry",
            description = "Where Redis circuit-breaker state changes are reported (default: ${DEFAULT-VALUE}).")
    String telemetryTopic;

    @Option(names = "--telemetry-key", paramLabel = "FILE",
            description = "Sign the circuit-breaker changes with this Ed25519 private key (from 'faultline keys'; its "
                    + "id is the file's name), so that runs given the .pub with --agent-keys believe them.")
    Path telemetryKey;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics (0: any free port; default: none).")
    Integer metricsPort;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Kafka client properties (TLS, SASL) every client of the listener starts from.")
    Path commandConfig;

    @Option(names = "--pid-file", description = "Write this process's pid here.")
    Path pidFile;

    @Option(names = "--exit-with-parent", description = "Exit when standard input closes (the launching process died).")
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        String name = instance != null ? instance : InetAddress.getLocalHost().getHostName()
                + "-" + ProcessHandle.current().pid();
        Map<String, String> clientSettings = new HashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(commandConfig)) {
                file.load(in);
            } catch (IOException e) {
                System.err.println("order-listener: --command-config " + commandConfig + ": cannot read it: " + e.getMessage());
                return 2;
            }
            file.stringPropertyNames().forEach(k -> clientSettings.put(k, file.getProperty(k)));
        }
        if (!groupProtocol.equals("classic") && !groupProtocol.equals("consumer")) {
            System.err.println("order-listener: --group-protocol must be classic or consumer, got '" + groupProtocol
                    + "'");
            return 2;
        }
        if (groupProtocol.equals("consumer")) {
            clientSettings.putIfAbsent("group.protocol", groupProtocol);
        }
        ListenerConfig config = new ListenerConfig(bootstrapServers, DeliveryMode.fromCli(mode), name, group, input,
                output, Duration.ofMillis(processingMs), Duration.ofMillis(commitIntervalMs),
                Duration.ofMillis(sessionTimeoutMs), Duration.ofMillis(transactionTimeoutMs), clientSettings);
        RedisCache cache = null;
        CircuitReporter reporter = null;
        if (redis != null) {
            try {
                RedisAddress.check("--redis", redis);
            } catch (IllegalArgumentException e) {
                System.err.println("order-listener: " + e.getMessage());
                return 2;
            }
            TelemetrySigner signer = null;
            if (telemetryKey != null) {
                try {
                    signer = KeyFiles.telemetrySigner(telemetryKey);
                } catch (IOException | IllegalArgumentException e) {
                    System.err.println("order-listener: --telemetry-key " + telemetryKey + ": " + e.getMessage());
                    return 2;
                }
            }
            reporter = new CircuitReporter(bootstrapServers, clientSettings, telemetryTopic, name, signer);
            cache = new RedisCache(redis, name, Duration.ofMillis(redisTimeoutMs), reporter::report);
        }
        ListenerMetrics metrics = metricsPort == null ? null : new ListenerMetrics(metricsPort);
        if (metrics != null) {
            System.err.println("order-listener: metrics on port " + metrics.port());
        }
        OrderListener listener = new OrderListener(config, cache, metrics);
        RedisCache cacheToClose = cache;
        CircuitReporter reporterToClose = reporter;
        if (pidFile != null) {
            OrderListener.writePidFile(pidFile);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                listener.stop();
                if (cacheToClose != null) {
                    cacheToClose.close();
                    reporterToClose.close();
                }
                if (pidFile != null) {
                    Files.deleteIfExists(pidFile);
                }
            } catch (Exception e) {
                Thread.currentThread().interrupt();
            }
        }, "order-listener-shutdown"));
        if (exitWithParent) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // Discard; only the end of the stream matters.
                    }
                } catch (IOException e) {
                    // Treat like end of stream.
                }
                System.exit(0);
            }, "parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
        listener.run();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new OrderListenerMain()).execute(args));
    }
}

package io.faultline.cli;

import io.faultline.engine.KafkaClients;
import io.faultline.kafka.Clients;
import io.faultline.history.VerdictLog;
import io.faultline.protocol.HttpServerLimits;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline exporter}: the verdicts topic as Prometheus metrics per scenario, for dashboards. */
@Command(name = "exporter", mixinStandardHelpOptions = true,
        description = {"Serve Prometheus metrics per scenario from the verdicts topic: last status, last run time, "
                + "failover seconds, lost and duplicated canaries, latency percentiles, failed checks, runs by status. "
                + "Reads the topic from its beginning, then follows it.",
                "Exit codes: 2 bad option, 3 Kafka unreachable or the port taken."})
public final class ExporterCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ExporterCommand.class);

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--port", defaultValue = "9096", description = "Port of /metrics (default: ${DEFAULT-VALUE}).")
    int port;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private volatile boolean running = true;

    @Override
    public Integer call() throws Exception {
        try (var admin = KafkaClients.admin(kafka.connection())) {
            KafkaClients.checkReachable(admin, kafka.bootstrapServers, Duration.ofSeconds(15));
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        VerdictMetrics metrics = new VerdictMetrics(registry);
        String topic = kafka.topics().verdicts();
        HttpServerLimits.apply();
        try (HTTPServer server = HTTPServer.builder().port(port).registry(registry).buildAndStart();
             KafkaConsumer<String, byte[]> consumer = Clients.consumer(kafka.connection(), "faultline-exporter")) {
            spec.commandLine().getOut().println("faultline exporter: metrics of " + topic + " on port "
                    + server.getPort() + " (/metrics)");
            spec.commandLine().getOut().flush();
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(15))
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        Verdict v = Json.decode(r.value(), Verdict.class);
                        if (VerdictLog.plausible(v)) {
                            metrics.add(v);
                        } else {
                            log.debug("an implausible verdict at {}@{}: skipped", r.partition(), r.offset());
                        }
                    } catch (RuntimeException e) {
                        log.debug("not a verdict at {}@{}: {}", r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        }
        return ExitCodes.PASSED;
    }

    /** Stops the exporter (for tests; the command otherwise runs until killed). */
    void stop() {
        running = false;
    }
}

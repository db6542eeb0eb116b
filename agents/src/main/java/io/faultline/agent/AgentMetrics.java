package io.faultline.agent;

import io.faultline.protocol.Rejection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.faultline.protocol.HttpServerLimits;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.function.DoubleSupplier;

/** The agent's Prometheus metrics on {@code /metrics} (see the chart's Grafana dashboard). */
final class AgentMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter commands = Counter.builder().name("faultline_agent_commands_total")
            .help("Command steps reported by this agent").labelNames("step", "fault").register(registry);
    private final Counter rejections = Counter.builder().name("faultline_agent_rejections_total")
            .help("Commands this agent refused, by reason").labelNames("reason").register(registry);
    private final HTTPServer server;

    /** @param kafkaBytesIn bytes this agent's Kafka clients received; {@code kafkaBytesOut} sent */
    AgentMetrics(String host, int port, DoubleSupplier activeFaults, DoubleSupplier kafkaBytesIn, DoubleSupplier kafkaBytesOut)
            throws IOException {
        GaugeWithCallback.builder().name("faultline_agent_kafka_bytes").help("Bytes this agent's Kafka clients received (in) and sent (out)")
                .labelNames("direction").callback(cb -> {
                    cb.call(kafkaBytesIn.getAsDouble(), "in");
                    cb.call(kafkaBytesOut.getAsDouble(), "out");
                }).register(registry);
        GaugeWithCallback.builder().name("faultline_agent_active_faults")
                .help("Faults applied and not yet undone").callback(cb -> cb.call(activeFaults.getAsDouble()))
                .register(registry);
        HttpServerLimits.apply();
        server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }

    int port() {
        return server.getPort();
    }

    void step(String step, String fault) {
        commands.labelValues(step, fault == null ? "" : fault).inc();
    }

    void rejected(Rejection reason) {
        rejections.labelValues(reason.wireName()).inc();
    }

    @Override
    public void close() {
        server.stop();
    }
}

package io.faultline.examples;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The listener's Prometheus metrics on {@code /metrics}. The one an ingestion alert watches is
 * {@code order_listener_caught_up_timestamp_seconds}: the last time this instance owned
 * partitions and was within {@link #CAUGHT_UP_RECORDS} records of their end. Across instances,
 * {@code time() - max(...)} is how long nobody has been keeping up.
 */
final class ListenerMetrics implements AutoCloseable {
    static final long CAUGHT_UP_RECORDS = 50;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter processed = Counter.builder().name("order_listener_processed_total")
            .help("Orders processed and written to the output topic").register(registry);
    private final Gauge caughtUp = Gauge.builder().name("order_listener_caught_up_timestamp_seconds")
            .help("Last time this instance owned partitions and was within 50 records of their end (start time until then)")
            .register(registry);
    private final Gauge assigned = Gauge.builder().name("order_listener_assigned_partitions")
            .help("Input partitions assigned to this instance").register(registry);
    private final Gauge lag = Gauge.builder().name("order_listener_records_lag")
            .help("Records between this instance's position and the end of its partitions").register(registry);
    private final HTTPServer server;

    ListenerMetrics(int port) throws IOException {
        caughtUp.set(System.currentTimeMillis() / 1000.0);
        server = HTTPServer.builder().port(port).registry(registry).buildAndStart();
    }

    int port() {
        return server.getPort();
    }

    void processed(int n) {
        processed.inc(n);
    }

    /** After each poll: how far behind the assigned partitions this instance is. */
    void observe(Consumer<?, ?> consumer) {
        Set<TopicPartition> mine = consumer.assignment();
        assigned.set(mine.size());
        if (mine.isEmpty()) {
            lag.set(0);
            return;
        }
        long total = 0;
        for (TopicPartition tp : mine) {
            OptionalLong l = consumer.currentLag(tp);
            if (l.isEmpty()) {
                return;
            }
            total += l.getAsLong();
        }
        lag.set(total);
        if (total <= CAUGHT_UP_RECORDS) {
            caughtUp.set(System.currentTimeMillis() / 1000.0);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}

package io.faultline.agent;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Reads client-level totals from a Kafka client's metrics. */
final class KafkaMetrics {
    private KafkaMetrics() {
    }

    /** A client-level total (the per-node copies carry a node-id tag and are left out). */
    static double total(Map<MetricName, ? extends Metric> metrics, String name) {
        double sum = 0;
        for (var e : metrics.entrySet()) {
            if (e.getKey().name().equals(name) && !e.getKey().tags().containsKey("node-id")
                    && e.getValue().metricValue() instanceof Number n) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }
}

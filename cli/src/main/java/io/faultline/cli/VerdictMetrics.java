package io.faultline.cli;

import io.faultline.history.RunSummary;
import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.Verdict;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics per scenario from the verdicts it has seen: the last run's status, time,
 * failover, counts, latency percentiles and failed checks, and runs by status. Units are in the
 * names, counters end in {@code _total}.
 */
final class VerdictMetrics {
    private final Map<String, Last> last = new ConcurrentHashMap<>();
    private final Counter runs;

    /** The last run of one scenario. */
    private record Last(RunSummary summary, CanaryStats canary) {
    }

    VerdictMetrics(PrometheusRegistry registry) {
        runs = Counter.builder().name("faultline_gameday_runs_total")
                .help("Game-days seen on the verdicts topic, by scenario and status").labelNames("scenario", "status")
                .register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_last_status")
                .help("1 for the status of the scenario's last game-day, 0 for the others")
                .labelNames("scenario", "status").callback(cb -> last.forEach((s, l) -> {
                    for (Verdict.Status status : Verdict.Status.values()) {
                        cb.call(l.summary().status() == status ? 1 : 0, s, status.name());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_last_run_timestamp_seconds")
                .help("When the scenario's last game-day ended (Unix time)").labelNames("scenario")
                .callback(cb -> last.forEach((s, l) -> {
                    if (l.summary().finishedAt() != null) {
                        cb.call(l.summary().finishedAt().toEpochMilli() / 1000.0, s);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_failover_seconds")
                .help("The last game-day's failover upper bound (the worst of its faults); absent without an outage")
                .labelNames("scenario").callback(cb -> last.forEach((s, l) -> {
                    if (l.summary().failoverMs() != null) {
                        cb.call(l.summary().failoverMs() / 1000.0, s);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_lost_events")
                .help("Canaries the last game-day lost").labelNames("scenario").callback(cb -> last.forEach((s, l) -> {
                    if (l.summary().lost() != null) {
                        cb.call(l.summary().lost(), s);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_duplicated_events")
                .help("Canaries the last game-day saw more than once").labelNames("scenario")
                .callback(cb -> last.forEach((s, l) -> {
                    if (l.summary().duplicated() != null) {
                        cb.call(l.summary().duplicated(), s);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_latency_seconds")
                .help("Canary latency percentiles over the last game-day").labelNames("scenario", "quantile")
                .callback(cb -> last.forEach((s, l) -> {
                    CanaryStats.Phase run = l.canary() == null ? null : l.canary().run();
                    if (run != null && run.p50Ms() != null) {
                        cb.call(run.p50Ms() / 1000.0, s, "0.5");
                        cb.call(run.p95Ms() / 1000.0, s, "0.95");
                        cb.call(run.p99Ms() / 1000.0, s, "0.99");
                        cb.call(run.maxMs() / 1000.0, s, "1");
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("faultline_gameday_checks_failed")
                .help("Checks the last game-day failed").labelNames("scenario")
                .callback(cb -> last.forEach((s, l) -> cb.call(l.summary().checksFailed(), s))).register(registry);
    }

    /** Takes in one verdict; verdicts arrive in log order, so the latest wins. */
    void add(Verdict v) {
        RunSummary summary = RunSummary.of(v);
        last.put(v.scenario(), new Last(summary, v.canary()));
        runs.labelValues(v.scenario(), v.status().name()).inc();
    }
}

package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.scenario.StopCondition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Samples each stop condition at its interval and trips the abort after its run of failures. */
final class StopConditionMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StopConditionMonitor.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stop-conditions");
        t.setDaemon(true);
        return t;
    });

    /** Starts sampling; {@code probes} are keyed by their condition. */
    StopConditionMonitor(Map<StopCondition, Probe> probes, Abort abort) {
        Map<StopCondition, int[]> failures = new LinkedHashMap<>();
        probes.forEach((condition, probe) -> {
            failures.put(condition, new int[1]);
            timer.scheduleWithFixedDelay(() -> {
                Probe.Sample s = probe.sample();
                int[] row = failures.get(condition);
                if (s.ok()) {
                    row[0] = 0;
                    return;
                }
                row[0]++;
                log.warn("stop condition '{}' failed ({} of {} in a row): {}", condition.name(), row[0],
                        condition.failures(), s.detail());
                if (row[0] >= condition.failures()) {
                    abort.trip("stop condition '" + condition.name() + "' tripped: " + s.detail());
                }
            }, condition.interval().toMillis(), condition.interval().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

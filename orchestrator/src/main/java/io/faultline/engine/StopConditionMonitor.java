package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.scenario.StopCondition;
import io.faultline.time.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples each stop condition at its interval and trips the abort after its run of failures. The
 * samples run on the given scheduler's thread, so a run of failures is counted without locks.
 */
final class StopConditionMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StopConditionMonitor.class);

    private final List<Scheduler.Cancellable> tasks = new ArrayList<>();

    /** Starts sampling; {@code probes} are keyed by their condition. */
    StopConditionMonitor(Scheduler scheduler, Map<StopCondition, Probe> probes, Abort abort) {
        probes.forEach((condition, probe) -> {
            int[] failures = new int[1];
            tasks.add(scheduler.scheduleAtFixedRate(condition.interval(), condition.interval(), () -> {
                Probe.Sample s = probe.sample();
                if (s.ok()) {
                    failures[0] = 0;
                    return;
                }
                failures[0]++;
                log.warn("stop condition '{}' failed ({} of {} in a row): {}", condition.name(), failures[0],
                        condition.failures(), s.detail());
                if (failures[0] >= condition.failures()) {
                    abort.trip("stop condition '" + condition.name() + "' tripped: " + s.detail());
                }
            }));
        });
    }

    @Override
    public void close() {
        tasks.forEach(Scheduler.Cancellable::cancel);
    }
}

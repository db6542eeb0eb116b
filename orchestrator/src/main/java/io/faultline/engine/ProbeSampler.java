package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.scenario.ProbeSpec;
import io.faultline.verifier.History;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Samples every steady-state probe at its interval for the whole run; the verifier judges them by mode. */
final class ProbeSampler implements AutoCloseable {
    private final List<History.ProbeSample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "probes");
        t.setDaemon(true);
        return t;
    });

    ProbeSampler(Map<ProbeSpec, Probe> probes, Clock clock) {
        probes.forEach((spec, probe) -> timer.scheduleWithFixedDelay(() -> {
            Probe.Sample s = probe.sample();
            synchronized (samples) {
                samples.add(new History.ProbeSample(spec.name(), clock.instant(), s.ok(), s.detail()));
            }
        }, 0, spec.interval().toMillis(), TimeUnit.MILLISECONDS));
    }

    List<History.ProbeSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

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

/**
 * Samples every steady-state probe at its interval for the whole run, and once more at the end
 * (so an {@code after} probe always has the final state); the verifier judges them by mode.
 */
final class ProbeSampler implements AutoCloseable {
    private final List<History.ProbeSample> samples = new ArrayList<>();
    private final Map<ProbeSpec, Probe> probes;
    private final Clock clock;
    private boolean finished;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "probes");
        t.setDaemon(true);
        return t;
    });

    ProbeSampler(Map<ProbeSpec, Probe> probes, Clock clock) {
        this.probes = probes;
        this.clock = clock;
        probes.forEach((spec, probe) -> timer.scheduleWithFixedDelay(() -> sample(spec, probe), 0,
                spec.interval().toMillis(), TimeUnit.MILLISECONDS));
    }

    private void sample(ProbeSpec spec, Probe probe) {
        Probe.Sample s = probe.sample();
        synchronized (samples) {
            samples.add(new History.ProbeSample(spec.name(), clock.instant(), s.ok(), s.detail()));
        }
    }

    /** Stops the schedule and takes the final sample of every probe. */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        timer.shutdownNow();
        probes.forEach(this::sample);
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

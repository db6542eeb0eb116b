package io.faultline.engine;

import io.faultline.probe.Probe;
import io.faultline.scenario.ProbeSpec;
import io.faultline.time.Scheduler;
import io.faultline.verifier.History;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples every steady-state probe and health watch at its interval for the whole run, and once
 * more at the end (so an {@code after} probe always has the final state); the verifier judges them.
 */
final class ProbeSampler implements AutoCloseable {
    private final List<History.ProbeSample> samples = new ArrayList<>();
    private final List<Scheduler.Cancellable> tasks = new ArrayList<>();
    private final Map<String, Probe> probes = new LinkedHashMap<>();
    private final Scheduler scheduler;
    private boolean finished;

    ProbeSampler(Scheduler scheduler, Map<ProbeSpec, Probe> probes) {
        this.scheduler = scheduler;
        probes.forEach((spec, probe) -> watch(spec.name(), probe, spec.interval()));
    }

    /** Samples {@code probe} under {@code name} from now on, unless a probe of that name is sampled already. */
    synchronized void watch(String name, Probe probe, Duration interval) {
        if (finished || probes.containsKey(name)) {
            return;
        }
        probes.put(name, probe);
        tasks.add(scheduler.scheduleAtFixedRate(Duration.ZERO, interval, () -> sample(name, probe)));
    }

    private void sample(String name, Probe probe) {
        Probe.Sample s = probe.sample();
        synchronized (samples) {
            samples.add(new History.ProbeSample(name, scheduler.clock().instant(), s.ok(), s.detail()));
        }
    }

    /** Stops the schedule and takes the final sample of every probe. */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        close();
        probes.forEach(this::sample);
    }

    /** True when each of {@code names} has a sample taken at or after {@code since}, and its latest one held. */
    boolean holdSince(Collection<String> names, Instant since) {
        synchronized (samples) {
            for (String name : names) {
                History.ProbeSample latest = null;
                for (History.ProbeSample s : samples) {
                    if (s.probe().equals(name) && !s.at().isBefore(since)) {
                        latest = s;
                    }
                }
                if (latest == null || !latest.ok()) {
                    return false;
                }
            }
            return true;
        }
    }

    List<History.ProbeSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public synchronized void close() {
        tasks.forEach(Scheduler.Cancellable::cancel);
    }
}

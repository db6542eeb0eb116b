package io.faultline.engine;

import io.faultline.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** Tripped once, by a halt or a stop condition; the run's waits end early when it trips. */
final class Abort {
    /** How soon a pause sees the abort: it waits in slices of this. */
    static final Duration SLICE = Duration.ofMillis(50);

    private final Scheduler time;
    private final AtomicReference<String> reason = new AtomicReference<>();

    /** @param time whose clock and sleep a pause waits on */
    Abort(Scheduler time) {
        this.time = time;
    }

    /** The first reason wins. */
    void trip(String why) {
        reason.compareAndSet(null, why);
    }

    boolean tripped() {
        return reason.get() != null;
    }

    String reason() {
        return reason.get();
    }

    /** Waits {@code d}, or less if tripped meanwhile; returns true if tripped. */
    boolean pause(Duration d) throws InterruptedException {
        return time.pollUntil(d, SLICE, this::tripped);
    }
}

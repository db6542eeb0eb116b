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
    /** A thread to interrupt when it trips (one waiting where nothing else would see the abort), or null. */
    private Thread waiter;
    private boolean interruptedWaiter;

    /** @param time whose clock and sleep a pause waits on */
    Abort(Scheduler time) {
        this.time = time;
    }

    /** The first reason wins. */
    void trip(String why) {
        reason.compareAndSet(null, why);
        synchronized (this) {
            if (waiter != null && !interruptedWaiter) {
                interruptedWaiter = true;
                waiter.interrupt();
            }
        }
    }

    /**
     * Until the returned handle is closed, a trip interrupts the calling thread (at once if it
     * tripped already): for waits on things outside the run (agents' heartbeats, the first canary
     * back, a probe) that cannot poll the abort themselves. Closing clears the interrupt it caused,
     * so that what runs next (healing, the verdict) is not cut short.
     */
    Interruptible interruptOnTrip() {
        synchronized (this) {
            waiter = Thread.currentThread();
            interruptedWaiter = false;
        }
        if (tripped()) {
            trip(reason());
        }
        return () -> {
            synchronized (this) {
                waiter = null;
                if (interruptedWaiter) {
                    Thread.interrupted();
                }
            }
        };
    }

    /** The handle of {@link #interruptOnTrip()}; closing it throws nothing. */
    interface Interruptible extends AutoCloseable {
        @Override
        void close();
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

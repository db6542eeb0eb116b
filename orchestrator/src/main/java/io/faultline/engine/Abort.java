package io.faultline.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Tripped once, by a halt or a stop condition; the run's waits end early when it trips. */
final class Abort {
    private final CountDownLatch tripped = new CountDownLatch(1);
    private final AtomicReference<String> reason = new AtomicReference<>();

    /** The first reason wins. */
    void trip(String why) {
        if (reason.compareAndSet(null, why)) {
            tripped.countDown();
        }
    }

    boolean tripped() {
        return reason.get() != null;
    }

    String reason() {
        return reason.get();
    }

    /** Waits {@code d}, or less if tripped meanwhile; returns true if tripped. */
    boolean pause(Duration d) throws InterruptedException {
        return tripped.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }
}

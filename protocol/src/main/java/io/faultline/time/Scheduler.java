package io.faultline.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Where time passes: the clock that stamps events, the timers that run tasks later, and the
 * waits between tries ({@link #sleep}, {@link #pollUntil}). Every timer, periodic task and wait
 * of Faultline's own logic goes through one, so tests drive time by hand ({@code ManualScheduler}
 * in the protocol's test jar) instead of sleeping. A wait for something outside (a record, a
 * consumer group's answer, a topic to exist) blocks in real time and takes its deadline from the
 * clock, so a test's clock never runs ahead of what it waits for.
 *
 * <p>Tasks run one at a time, in due order, on the scheduler's own thread: state touched only by
 * its tasks needs no lock.
 */
public interface Scheduler extends AutoCloseable {
    /** The clock every timestamp is taken from. */
    Clock clock();

    /** Runs {@code task} once, {@code delay} from now. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Runs {@code task} every {@code period}, first {@code initialDelay} from now, until cancelled. */
    Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task);

    /** Runs {@code task} on the scheduler's thread as soon as it is free. */
    default Cancellable execute(Runnable task) {
        return schedule(Duration.ZERO, task);
    }

    /**
     * Runs {@code task} on the scheduler's thread and waits for its result.
     *
     * @throws TimeoutException when it has not finished within {@code timeout}
     * @throws Exception        what the task threw
     */
    <T> T call(Callable<T> task, Duration timeout) throws Exception;

    /**
     * Waits {@code d} of this scheduler's time on the calling thread: a real sleep here; a
     * scheduler a test drives moves its clock by {@code d} instead, running what falls due, as
     * Trogdor's {@code MockTime.sleep} does. Every wait between tries goes through it.
     */
    default void sleep(Duration d) throws InterruptedException {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    }

    /**
     * Asks {@code condition} until it holds or {@code timeout} has passed on this scheduler's
     * clock, waiting {@code every} (through {@link #sleep}) between asks; returns whether it held.
     */
    default boolean pollUntil(Duration timeout, Duration every, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = clock().instant().plus(timeout);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Duration left = Duration.between(clock().instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return false;
            }
            sleep(left.compareTo(every) < 0 ? left : every);
        }
    }

    /** Stops running tasks; tasks not yet run are dropped. */
    @Override
    void close();

    /** A scheduled task that can be called off. */
    interface Cancellable {
        /** Keeps the task from running again; a run in progress finishes. */
        void cancel();
    }

    /** A scheduler on one daemon thread named {@code name}, stamping with {@code clock}. */
    static Scheduler system(String name, Clock clock) {
        return new SystemScheduler(name, clock);
    }
}

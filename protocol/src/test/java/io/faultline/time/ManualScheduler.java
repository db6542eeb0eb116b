package io.faultline.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A scheduler whose time moves only when the test says so, as Trogdor's {@code MockScheduler}:
 * {@link #advance} moves the clock forward and runs, on the calling thread and in due order, every
 * task that falls due on the way, each at its own due time.
 *
 * <p>Tasks run one at a time, as on a real scheduler's thread: when a test thread advances time
 * while the code under test calls {@link #call} from its own thread, one waits for the other.
 */
public final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    /** Held while tasks run, so that no two threads run tasks at once (reentrant: a task may call). */
    private final ReentrantLock running = new ReentrantLock();
    private Instant now;
    private long sequence;
    private boolean closed;
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            synchronized (ManualScheduler.this) {
                return now;
            }
        }
    };

    public ManualScheduler(Instant start) {
        this.now = start;
    }

    public ManualScheduler() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    private final class Task implements Comparable<Task>, Cancellable {
        final long seq = sequence++;
        final Runnable body;
        final Duration period;
        Instant due;
        boolean cancelled;

        Task(Instant due, Duration period, Runnable body) {
            this.due = due;
            this.period = period;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                cancelled = true;
                queue.remove(this);
            }
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        return add(new Task(now.plus(max0(delay)), null, task));
    }

    @Override
    public synchronized Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return add(new Task(now.plus(max0(initialDelay)), period, task));
    }

    private Task add(Task t) {
        if (!closed) {
            queue.add(t);
        }
        return t;
    }

    private static Duration max0(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Runs {@code task} now, after whatever is already due, and returns its result. */
    @Override
    public <T> T call(Callable<T> task, Duration timeout) throws Exception {
        running.lock();
        try {
            runDue();
            return task.call();
        } finally {
            running.unlock();
        }
    }

    /** Runs every task due at the current time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves time forward by {@code d}, running each task that falls due at its due time. */
    public void advance(Duration d) {
        running.lock();
        try {
            advanceHoldingLock(d);
        } finally {
            running.unlock();
        }
    }

    private void advanceHoldingLock(Duration d) {
        Instant until;
        synchronized (this) {
            until = now.plus(d);
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.due.isAfter(until)) {
                    now = until;
                    return;
                }
                queue.poll();
                now = t.due;
            }
            t.body.run();
            synchronized (this) {
                if (t.period != null && !t.cancelled && !closed) {
                    t.due = t.due.plus(t.period);
                    queue.add(t);
                }
            }
        }
    }

    /** Moves time forward by {@code d} instead of waiting: the code under test sleeps in the test's time. */
    @Override
    public void sleep(Duration d) {
        advance(d);
    }

    /** Tasks waiting to run. */
    public synchronized int pending() {
        return queue.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        queue.clear();
    }
}

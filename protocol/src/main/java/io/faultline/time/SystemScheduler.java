package io.faultline.time;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The real scheduler: one daemon thread; a task that throws is logged and the others go on. */
final class SystemScheduler implements Scheduler {
    private static final System.Logger log = System.getLogger(SystemScheduler.class.getName());
    private static final Cancellable NOTHING = () -> { };

    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;

    SystemScheduler(String name, Clock clock) {
        this.clock = clock;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        try {
            ScheduledFuture<?> f = executor.schedule(guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return NOTHING; // closed: nothing runs any more
        }
    }

    @Override
    public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        try {
            ScheduledFuture<?> f = executor.scheduleAtFixedRate(guarded(task), Math.max(0, initialDelay.toNanos()),
                    period.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return NOTHING;
        }
    }

    @Override
    public <T> T call(Callable<T> task, Duration timeout) throws Exception {
        Future<T> f = executor.submit(task);
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A periodic task that throws would never run again; log it and carry on.
                log.log(System.Logger.Level.ERROR, "scheduled task failed: " + e, e);
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

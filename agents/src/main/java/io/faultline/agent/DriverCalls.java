package io.faultline.agent;

import io.faultline.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs driver calls off the fault manager's state thread, each against a deadline, so that no
 * driver can hold up a halt, a lease or a shutdown: the state thread hands a call over and goes on,
 * and the call's outcome comes back to it as a task on the {@link Scheduler}.
 *
 * <p>Each call ends in exactly one of {@link Outcome#done}, {@link Outcome#failed} or
 * {@link Outcome#timedOut}, on the scheduler's thread. A call that misses its deadline is
 * interrupted and counted as stuck; if it ever returns, {@link Outcome#late} says how, so that a
 * fault that arrives after its deadline is taken away again. The deadline is a scheduler timer:
 * tests drive it by hand.
 *
 * <p>Every method but {@link #close} runs on the scheduler's thread.
 */
final class DriverCalls implements AutoCloseable {
    /** How many calls may be out at once, stuck ones included; beyond it a call fails at once. */
    static final int MAX_OUT = 64;

    private final Scheduler scheduler;
    private final Executor executor;
    private final Duration deadline;
    private final Set<Call<?>> running = new LinkedHashSet<>();
    private final Set<Call<?>> stuck = new LinkedHashSet<>();
    private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();

    /** How one call ended; every method runs on the scheduler's thread. */
    interface Outcome<T> {
        void done(T value);

        void failed(Exception e);

        /** The deadline passed first; the call was interrupted and may still return. */
        void timedOut(Duration deadline);

        /** A call that timed out returned after all: with its value, or with what it threw. */
        default void late(T value, Exception error) {
        }
    }

    DriverCalls(Scheduler scheduler, Executor executor, Duration deadline) {
        this.scheduler = scheduler;
        this.executor = executor;
        this.deadline = deadline;
    }

    /** Calls on daemon threads of their own, as many as are out at once. */
    static DriverCalls pooled(Scheduler scheduler, Duration deadline) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "agent-driver-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new DriverCalls(scheduler, pool, deadline);
    }

    Duration deadline() {
        return deadline;
    }

    /** Hands {@code call} to a driver thread; {@code what} names it in logs and problems. */
    <T> void run(String what, Callable<T> call, Outcome<T> outcome) {
        if (running.size() + stuck.size() >= MAX_OUT) {
            outcome.failed(new IllegalStateException("not attempted: " + stuck.size()
                    + " driver call(s) are stuck and " + running.size() + " running, the most this agent allows"));
            return;
        }
        Call<T> c = new Call<>(what, call, outcome);
        running.add(c);
        c.timer = scheduler.schedule(deadline, () -> c.expire());
        try {
            executor.execute(c::work);
        } catch (RejectedExecutionException e) {
            c.timer.cancel();
            running.remove(c);
            outcome.failed(new IllegalStateException("not attempted: the agent is shutting down"));
            settle();
        }
    }

    /** Calls running within their deadline. */
    int running() {
        return running.size();
    }

    /** What the calls past their deadline were doing, oldest first. */
    List<String> stuck() {
        return stuck.stream().map(c -> c.what).toList();
    }

    /**
     * Completes once no call is running within its deadline (stuck calls do not count), at once if
     * none is. Since every call has a deadline, this is never later than one deadline from now.
     */
    CompletableFuture<Void> idle() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        idleWaiters.add(f);
        settle();
        return f;
    }

    private void settle() {
        if (running.isEmpty() && !idleWaiters.isEmpty()) {
            List<CompletableFuture<Void>> waiters = new ArrayList<>(idleWaiters);
            idleWaiters.clear();
            waiters.forEach(w -> w.complete(null));
        }
    }

    /** Interrupts what is still out; their threads are daemons and do not keep the JVM alive. */
    @Override
    public void close() {
        if (executor instanceof ExecutorService s) {
            s.shutdownNow();
        }
    }

    private final class Call<T> {
        final String what;
        final Callable<T> body;
        final Outcome<T> outcome;
        Scheduler.Cancellable timer;
        /** The driver thread while it runs the body; guarded by this call. */
        Thread worker;
        /** Set on the scheduler's thread when the deadline passed first. */
        boolean expired;
        boolean finished;

        Call(String what, Callable<T> body, Outcome<T> outcome) {
            this.what = what;
            this.body = body;
            this.outcome = outcome;
        }

        /** On a driver thread. */
        void work() {
            synchronized (this) {
                worker = Thread.currentThread();
            }
            T value = null;
            Exception error = null;
            try {
                value = body.call();
            } catch (Exception e) {
                error = e;
            } finally {
                synchronized (this) {
                    worker = null;
                    Thread.interrupted(); // a deadline's interrupt must not leak into the pool's next call
                }
            }
            T v = value;
            Exception x = error;
            scheduler.execute(() -> finish(v, x));
        }

        void finish(T value, Exception error) {
            if (finished) {
                return;
            }
            finished = true;
            if (expired) {
                stuck.remove(this);
                outcome.late(value, error);
                return;
            }
            timer.cancel();
            running.remove(this);
            if (error == null) {
                outcome.done(value);
            } else {
                outcome.failed(error);
            }
            settle();
        }

        void expire() {
            if (finished || expired) {
                return;
            }
            expired = true;
            running.remove(this);
            stuck.add(this);
            synchronized (this) {
                if (worker != null) {
                    worker.interrupt();
                }
            }
            outcome.timedOut(deadline);
            settle();
        }
    }
}

package io.faultline.engine;

import io.faultline.time.Scheduler;
import io.faultline.workload.CanaryWorkload;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Prints a progress line every two seconds during a run: elapsed time, current step, canaries
 * sent and observed, the fault in place and, while canaries are not coming through, an outage clock.
 * The lines are printed on a scheduler of its own (closed with it), on the run's clock.
 */
final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final Clock clock;
    private final CanaryWorkload canary;
    private final int steps;
    private final Instant start;
    /** How often a progress line is printed. */
    static final Duration EVERY = Duration.ofSeconds(2);
    private final Scheduler timer;
    private volatile String step = "starting";
    private volatile int stepNumber;
    private volatile String fault;

    Progress(PrintStream out, Scheduler timer, CanaryWorkload canary, int steps) {
        this.out = out;
        this.clock = timer.clock();
        this.canary = canary;
        this.steps = steps;
        this.start = clock.instant();
        this.timer = timer;
        if (out != null) {
            timer.scheduleAtFixedRate(EVERY, EVERY, this::print);
        }
    }

    void step(int number, String description) {
        stepNumber = number;
        step = description;
        if (out != null) {
            out.printf(Locale.ROOT, "[%6.1fs] step %d/%d: %s%n", seconds(Duration.between(start, clock.instant())),
                    number, steps, description);
        }
    }

    void fault(String description) {
        fault = description;
    }

    private void print() {
        Instant now = clock.instant();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "[%6.1fs] step %d/%d | ",
                seconds(Duration.between(start, now)), stepNumber, steps));
        b.append(canary.active() ? String.format(Locale.ROOT, "canaries sent %d, observed %d", canary.sentCount(),
                canary.observedCount()) : "no canary");
        long folded = canary.foldedCount();
        if (folded > 0) {
            b.append(String.format(Locale.ROOT, " (%d folded)", folded));
        }
        Instant last = canary.lastCompletion();
        if (fault != null) {
            b.append(" | fault: ").append(fault);
        }
        if (last != null && fault != null && Duration.between(last, now).toMillis() > 1000) {
            b.append(String.format(Locale.ROOT, " | outage: no completion for %.1fs", seconds(Duration.between(last, now))));
        } else if (last != null && Duration.between(last, now).toMillis() > 1000) {
            b.append(String.format(Locale.ROOT, " | no completion for %.1fs", seconds(Duration.between(last, now))));
        }
        out.println(b);
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    @Override
    public void close() {
        timer.close();
    }
}

package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.time.Scheduler;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the faults an agent holds: the undo journal, the leases and the recovery of a killed
 * predecessor's leftovers. Like Trogdor's {@code WorkerManager}, it is a state machine driven from
 * one thread: every method runs on the {@link Scheduler}'s thread, and so do its lease timers, so
 * nothing here takes a lock. Other threads read {@link #active()}, a snapshot.
 *
 * <p>The state thread never waits on a driver. Each driver call goes out through
 * {@link DriverCalls} with a deadline and its outcome comes back as a task, so a halt, a lease or
 * a shutdown is acted on at once for every fault whose driver answers, whatever another driver is
 * doing. Every fault that may be in place is in one map, in one {@link Phase}: applying → held →
 * undoing, or applying → cancelling (an undo asked for while its apply is out, done the moment the
 * apply returns; an apply that misses its deadline is taken away if it ever returns, and stays in
 * the journal meanwhile so that the next start undoes it) → held → undoing. What an earlier run
 * left is {@link Recovery}'s.
 *
 * <p>A lease runs from when the apply was accepted. It is checked when it falls due (a timer per
 * fault) and by a sweep every {@link #LEASE_SWEEP}, the safety net for a wall clock that jumps
 * back: a lease is wall-clock time, a timer is not.
 */
final class FaultManager {
    private static final Logger log = LoggerFactory.getLogger(FaultManager.class);
    static final Duration LEASE_SWEEP = Duration.ofSeconds(1);

    private final String agentId;
    private final DriverRegistry drivers;
    private final UndoJournal journal;
    private final Scheduler scheduler;
    private final DriverCalls calls;
    private final Consumer<TelemetryEvent> events;
    /** Every fault that may be in place, by command id, in the order their applies began. */
    private final Map<String, HeldFault> faults = new LinkedHashMap<>();
    private volatile Map<String, String> snapshot = Map.of();
    private Scheduler.Cancellable sweep;

    /** Between attempts at an undo that failed: 1 s, doubling, at most 30 s. */
    static final IntervalFunction UNDO_RETRY = IntervalFunction.ofExponentialBackoff(Duration.ofSeconds(1), 2.0,
            Duration.ofSeconds(30));

    FaultManager(String agentId, DriverRegistry drivers, UndoJournal journal, Scheduler scheduler, DriverCalls calls,
                 Consumer<TelemetryEvent> events) {
        this.agentId = agentId;
        this.drivers = drivers;
        this.journal = journal;
        this.scheduler = scheduler;
        this.calls = calls;
        this.events = events;
    }

    private Instant now() {
        return scheduler.clock().instant();
    }

    /**
     * Starts undoing what the journal says an earlier run applied and never undid, reporting each,
     * and starts the lease sweep; the journal is compacted once those undos have answered. Returns
     * the command ids still within their notAfter, which must be refused as replays. Wait on
     * {@link #idle()} before taking commands: a safe-mode sweep must not meet a new fault.
     */
    Set<String> recover() {
        new Recovery(agentId, drivers, journal, scheduler, calls, events).start();
        sweep = scheduler.scheduleAtFixedRate(LEASE_SWEEP, LEASE_SWEEP, this::expireDue);
        return journal.unexpiredCommandIds(now());
    }

    /** What keeps this agent from doing its job, for the heartbeat; empty when nothing does. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        if (!journal.writable()) {
            out.add("undo journal unwritable, no fault will be applied: " + journal.unwritableReason());
        }
        faults.forEach((id, f) -> {
            if (f.phase == HeldFault.Phase.UNDO_PENDING) {
                out.add("undo of " + id + " (" + f.undoWhy + ") failed " + f.undoFailures + " time(s), tried again "
                        + "until it succeeds: " + f.undoError);
            }
        });
        List<String> stuck = calls.stuck();
        if (!stuck.isEmpty()) {
            out.add(stuck.size() + " driver call(s) did not answer within " + Durations.format(calls.deadline())
                    + ": " + String.join(", ", stuck));
        }
        return out;
    }

    /**
     * Journals the fault and hands it to its driver; its lease runs from now. A fault that cannot
     * be journaled is not applied.
     */
    void apply(ApplyCommand command) {
        try {
            journal.applying(command, now(), drivers.diesWithHost(command.fault()));
        } catch (IOException e) {
            log.error("cannot write the undo journal {}: {}", journal.file(), e.getMessage());
            events.accept(CommandEvent.failed(agentId, now(), command,
                    "not applied: cannot write the undo journal: " + e.getMessage()));
            return;
        }
        String id = command.commandId();
        FaultSpec requested = command.fault();
        HeldFault a = new HeldFault(command, now().plus(command.lease()));
        faults.put(id, a);
        publishSnapshot();
        calls.run("apply " + id + " (" + requested.type() + ")", () -> drivers.apply(id, requested, command.lease()),
                new DriverCalls.Outcome<>() {
            @Override
            public void done(FaultDriver.Applied applied) {
                events.accept(CommandEvent.applied(agentId, now(), command, applied.detail()));
                log.info("applied {} ({}): {}", id, requested.type(), applied.detail());
                String why = a.undoWhy;
                hold(a, applied, a.leaseEnds);
                if (why != null) {
                    undo(id, why);
                }
            }

            @Override
            public void failed(Exception e) {
                faults.remove(id);
                publishSnapshot();
                log.warn("cannot apply {} ({}): {}", id, requested.type(), e.getMessage());
                // Drivers take back a partial apply themselves, so nothing is left to undo.
                journalUndone(id);
                events.accept(CommandEvent.failed(agentId, now(), command, e.getMessage()));
            }

            @Override
            public void timedOut(Duration deadline) {
                // It may yet take effect: it stays listed and journaled, and goes the moment it returns.
                a.cancel("its apply answered after the " + Durations.format(deadline) + " deadline");
                log.error("apply {} ({}): the driver did not answer within {}", id, requested.type(),
                        Durations.format(deadline));
                events.accept(CommandEvent.failed(agentId, now(), command, "not applied: the driver did not answer"
                        + " within " + Durations.format(deadline) + "; if it ever does, the fault is undone at once"));
            }

            @Override
            public void late(FaultDriver.Applied applied, Exception error) {
                if (error != null) {
                    failed(error);
                    return;
                }
                log.warn("apply {} ({}) answered after its deadline: {}; undoing it", id, requested.type(),
                        applied.detail());
                events.accept(CommandEvent.applied(agentId, now(), command, applied.detail()
                        + " (after its deadline)"));
                String why = a.undoWhy;
                hold(a, applied, a.leaseEnds);
                undo(id, why);
            }
        });
    }

    /** Extends the fault's lease to {@code renew.lease()} from now; false when this agent does not hold it. */
    boolean renew(RenewCommand renew) {
        HeldFault f = faults.get(renew.faultCommandId());
        if (f == null) {
            return false;
        }
        switch (f.phase) {
            case APPLYING -> f.leaseEnds = now().plus(renew.lease());
            case HELD -> {
                f.timer.cancel();
                hold(f, f.applied, now().plus(renew.lease()));
            }
            default -> {
                // Being cancelled or undone: no lease to extend.
                return false;
            }
        }
        log.debug("renewed {} for {}", renew.faultCommandId(), renew.lease());
        return true;
    }

    /**
     * Undoes one fault; an apply still out is undone the moment it returns, an undo already out is
     * left to finish. Reports "nothing to undo" when the fault is not here.
     */
    void undo(String faultCommandId, String why) {
        HeldFault f = faults.get(faultCommandId);
        if (f == null) {
            events.accept(CommandEvent.undone(agentId, now(), null, faultCommandId, null,
                    why + ": nothing to undo, fault not active on this agent"));
            return;
        }
        if (f.phase == HeldFault.Phase.APPLYING || f.phase == HeldFault.Phase.CANCELLING) {
            if (f.phase == HeldFault.Phase.APPLYING) {
                f.cancel(why);
            }
            log.info("{} asked to undo {} while its apply is out: undone when the driver answers", why, faultCommandId);
            return;
        }
        if (f.phase == HeldFault.Phase.UNDOING) {
            log.info("{} asked to undo {}: its undo is already out", why, faultCommandId);
            return;
        }
        if (f.phase == HeldFault.Phase.UNDO_PENDING) {
            // Asked again (halt, shutdown, heal): try now rather than at the next backoff.
            f.retry.cancel();
        } else {
            f.timer.cancel();
        }
        startUndo(f, why);
    }

    /** Sends {@code f}'s undo to its driver; a failure leaves it UNDO_PENDING with a retry scheduled. */
    private void startUndo(HeldFault f, String why) {
        String faultCommandId = f.command.commandId();
        f.phase = HeldFault.Phase.UNDOING;
        ApplyCommand c = f.command;
        FaultDriver.Applied applied = f.applied;
        publishSnapshot();
        calls.run("undo " + c.commandId() + " (" + c.fault().type() + ")", applied::undo,
                new DriverCalls.Outcome<>() {
            @Override
            public void done(String detail) {
                faults.remove(faultCommandId);
                publishSnapshot();
                journalUndone(c.commandId());
                log.info("undid {} ({}): {}", c.commandId(), why, detail);
                events.accept(CommandEvent.undone(agentId, now(), c.runId(), c.commandId(), c.fault().type(),
                        why + ": " + detail));
            }

            @Override
            public void failed(Exception e) {
                // Still in place, maybe: it stays held as UNDO_PENDING and is tried again until undone
                // (and the journal keeps it open, for the next start should this agent stop first).
                f.undoFailures++;
                f.undoError = e.getMessage();
                f.undoWhy = why;
                f.phase = HeldFault.Phase.UNDO_PENDING;
                Duration wait = Duration.ofMillis(UNDO_RETRY.apply(f.undoFailures));
                f.retry = scheduler.schedule(wait, () -> retryUndo(faultCommandId));
                publishSnapshot();
                log.error("cannot undo {} ({}), attempt {}: {}; trying again in {}", c.commandId(), why,
                        f.undoFailures, e.getMessage(), Durations.format(wait));
                events.accept(CommandEvent.failed(agentId, now(), c, "undo on " + why + " failed: " + e.getMessage()
                        + "; the fault may still be in place: trying again in " + Durations.format(wait)
                        + " (attempt " + f.undoFailures + ")"));
            }

            @Override
            public void timedOut(Duration deadline) {
                // Still listed as active: it may well still be in place.
                log.error("undo {} ({}): the driver did not answer within {}", c.commandId(), why,
                        Durations.format(deadline));
                events.accept(CommandEvent.failed(agentId, now(), c, "undo on " + why + ": the driver did not answer"
                        + " within " + Durations.format(deadline) + " (the journal keeps the fault for the next start)"));
            }

            @Override
            public void late(String detail, Exception error) {
                if (error == null) {
                    done(detail + " (after its deadline)");
                } else {
                    failed(error);
                }
            }
        });
    }

    /** The backoff of an undo that failed has passed: try it again. */
    private void retryUndo(String id) {
        HeldFault f = faults.get(id);
        if (f != null && f.phase == HeldFault.Phase.UNDO_PENDING) {
            startUndo(f, f.undoWhy);
        }
    }

    /** Undoes every fault held or being applied, the latest first. */
    void undoAll(String why) {
        List<String> ids = new ArrayList<>();
        faults.forEach((id, f) -> {
            if (f.phase != HeldFault.Phase.UNDOING) {
                ids.add(id);
            }
        });
        Collections.reverse(ids);
        ids.forEach(id -> undo(id, why));
    }

    /** True when no fault is held, being applied or being undone. */
    boolean isEmpty() {
        return faults.isEmpty();
    }

    /**
     * Completes once every driver call out has answered or missed its deadline: never later than
     * one deadline from now.
     */
    CompletableFuture<Void> idle() {
        return calls.idle();
    }

    /** Faults that may be in place (held, being applied or being undone), command id to fault type; safe from any thread. */
    Map<String, String> active() {
        return snapshot;
    }

    /** Stops the lease sweep; the caller undoes what is left. */
    void stop() {
        if (sweep != null) {
            sweep.cancel();
        }
    }

    private void hold(HeldFault f, FaultDriver.Applied applied, Instant leaseEnds) {
        String id = f.command.commandId();
        f.applied = applied;
        f.leaseEnds = leaseEnds;
        f.phase = HeldFault.Phase.HELD;
        f.undoWhy = null;
        f.timer = scheduler.schedule(Duration.between(now(), leaseEnds), () -> expire(id));
        publishSnapshot();
    }

    /** A fault's lease timer: undoes it when its lease has run out, else looks again when it will have. */
    private void expire(String id) {
        HeldFault f = faults.get(id);
        if (f == null || f.phase != HeldFault.Phase.HELD) {
            return;
        }
        Instant now = now();
        if (now.isBefore(f.leaseEnds)) {
            // The timer ran early by the wall clock (it keeps its own time): look again then.
            f.timer = scheduler.schedule(Duration.between(now, f.leaseEnds), () -> expire(id));
            return;
        }
        undo(id, "lease expired");
    }

    /** The sweep: every fault held, or applying, whose lease has run out goes (an apply the moment it returns). */
    private void expireDue() {
        Instant now = now();
        List<String> due = new ArrayList<>();
        faults.forEach((id, f) -> {
            if ((f.phase == HeldFault.Phase.HELD || f.phase == HeldFault.Phase.APPLYING) && !now.isBefore(f.leaseEnds)) {
                due.add(id);
            }
        });
        due.forEach(id -> undo(id, "lease expired"));
    }

    private void publishSnapshot() {
        Map<String, String> m = new LinkedHashMap<>();
        faults.forEach((id, f) -> m.put(id, f.command.fault().type()));
        snapshot = Collections.unmodifiableMap(m);
    }

    private void journalUndone(String commandId) {
        Recovery.journalUndone(journal, commandId, now());
    }
}

package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.RedisPauseFault;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.time.Scheduler;
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
 * doing. A fault goes applying → held → undoing; an undo asked for while its apply is out is done
 * the moment the apply returns; an apply that misses its deadline is taken away if it ever
 * returns, and stays in the journal meanwhile so that the next start undoes it.
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
    /** Faults in place. */
    private final Map<String, Held> held = new LinkedHashMap<>();
    /** Applies out at a driver: in place once they return. */
    private final Map<String, Applying> applying = new LinkedHashMap<>();
    /** Undos out at a driver, or stuck there: the fault may still be in place. */
    private final Map<String, ApplyCommand> undoing = new LinkedHashMap<>();
    private volatile Map<String, String> snapshot = Map.of();
    private Scheduler.Cancellable sweep;

    /** A fault in place: what was applied, until when its lease runs, and the timer that checks it. */
    private record Held(ApplyCommand command, FaultDriver.Applied applied, Instant leaseEnds,
                        Scheduler.Cancellable timer) {
    }

    /** An apply out at its driver: its lease so far, and why to undo it the moment it returns (or null). */
    private static final class Applying {
        final ApplyCommand command;
        final String cut;
        Instant leaseEnds;
        String undoWhy;

        Applying(ApplyCommand command, String cut, Instant leaseEnds) {
            this.command = command;
            this.cut = cut;
            this.leaseEnds = leaseEnds;
        }
    }

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
        if (journal.damaged()) {
            safeMode();
        }
        for (UndoJournal.Entry e : journal.leftovers()) {
            String type = e.fault() == null ? null : e.fault().type();
            calls.run("undo leftover " + e.commandId() + " (" + type + ")",
                    () -> drivers.recover(e.commandId(), e.fault()), new DriverCalls.Outcome<>() {
                @Override
                public void done(String detail) {
                    journalUndone(e.commandId());
                    log.warn("undid leftover {} ({}) of an earlier run: {}", e.commandId(), type, detail);
                    events.accept(CommandEvent.undone(agentId, now(), e.runId(), e.commandId(), type,
                            "restart: leftover of agent pid " + e.pid() + " undone: " + detail));
                }

                @Override
                public void failed(Exception ex) {
                    log.error("cannot undo leftover {} ({}): {}", e.commandId(), type, ex.getMessage());
                    events.accept(new CommandEvent(CommandEvent.Step.FAILED, e.runId(), agentId, now(), e.commandId(),
                            type, "restart: cannot undo leftover: " + ex.getMessage()));
                }

                @Override
                public void timedOut(Duration deadline) {
                    failed(new FaultException("its driver did not answer within " + Durations.format(deadline)
                            + " (the journal keeps it for the next start)"));
                }

                @Override
                public void late(String detail, Exception error) {
                    if (error == null) {
                        done(detail);
                    }
                }
            });
        }
        calls.idle().thenRun(() -> scheduler.execute(this::compact));
        sweep = scheduler.scheduleAtFixedRate(LEASE_SWEEP, LEASE_SWEEP, this::expireDue);
        return journal.unexpiredCommandIds(now());
    }

    private void compact() {
        try {
            journal.compact(now());
        } catch (IOException ex) {
            log.warn("cannot compact the journal {}: {}", journal.file(), ex.getMessage());
        }
    }

    /**
     * The journal lost records: what they held is unknown, so every driver undoes by tag what it
     * can find of its own; each result is reported, and what could not be undone says so.
     */
    private void safeMode() {
        log.error("undo journal {} has {} unreadable record(s): safe mode, undoing by tag what the drivers find",
                journal.file(), journal.unreadableRecords());
        String why = "safe mode (undo journal damaged, " + journal.unreadableRecords() + " unreadable record(s)): ";
        drivers.sweeps().forEach((type, sweepCall) -> calls.run("safe-mode sweep (" + type + ")", sweepCall,
                new DriverCalls.Outcome<>() {
                    @Override
                    public void done(String done) {
                        if (done != null) {
                            report(CommandEvent.Step.UNDONE, done);
                        }
                    }

                    @Override
                    public void failed(Exception e) {
                        report(CommandEvent.Step.FAILED, "cannot undo by tag: " + e.getMessage());
                    }

                    @Override
                    public void timedOut(Duration deadline) {
                        report(CommandEvent.Step.FAILED, "cannot undo by tag: the driver did not answer within "
                                + Durations.format(deadline));
                    }

                    private void report(CommandEvent.Step step, String detail) {
                        log.warn("{}: {}{}", type, why, detail);
                        events.accept(new CommandEvent(step, null, agentId, now(), "safe-mode", type, why + detail));
                    }
                }));
    }

    /** What keeps this agent from doing its job, for the heartbeat; empty when nothing does. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        if (!journal.writable()) {
            out.add("undo journal unwritable, no fault will be applied: " + journal.unwritableReason());
        }
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
            journal.applying(command, now());
        } catch (IOException e) {
            log.error("cannot write the undo journal {}: {}", journal.file(), e.getMessage());
            events.accept(CommandEvent.failed(agentId, now(), command,
                    "not applied: cannot write the undo journal: " + e.getMessage()));
            return;
        }
        String id = command.commandId();
        FaultSpec requested = command.fault();
        FaultSpec fault = requested;
        String cut = "";
        if (requested instanceof RedisPauseFault r && r.duration().compareTo(command.lease()) > 0) {
            // Redis ends a pause by itself: one no longer than the lease ends even if this agent dies.
            fault = new RedisPauseFault(r.address(), r.mode(), command.lease());
            cut = " (pause cut from " + Durations.format(r.duration()) + " to its lease "
                    + Durations.format(command.lease()) + ")";
        }
        Applying a = new Applying(command, cut, now().plus(command.lease()));
        applying.put(id, a);
        publishSnapshot();
        FaultSpec toApply = fault;
        calls.run("apply " + id + " (" + requested.type() + ")", () -> drivers.apply(id, toApply),
                new DriverCalls.Outcome<>() {
            @Override
            public void done(FaultDriver.Applied applied) {
                applying.remove(id);
                log.info("applied {} ({}): {}{}", id, requested.type(), applied.detail(), a.cut);
                events.accept(CommandEvent.applied(agentId, now(), command, applied.detail() + a.cut));
                hold(command, applied, a.leaseEnds);
                if (a.undoWhy != null) {
                    undo(id, a.undoWhy);
                }
            }

            @Override
            public void failed(Exception e) {
                applying.remove(id);
                publishSnapshot();
                log.warn("cannot apply {} ({}): {}", id, requested.type(), e.getMessage());
                // Drivers take back a partial apply themselves, so nothing is left to undo.
                journalUndone(id);
                events.accept(CommandEvent.failed(agentId, now(), command, e.getMessage()));
            }

            @Override
            public void timedOut(Duration deadline) {
                // It may yet take effect: it stays listed and journaled, and goes the moment it returns.
                a.undoWhy = "its apply answered after the " + Durations.format(deadline) + " deadline";
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
                applying.remove(id);
                log.warn("apply {} ({}) answered after its deadline: {}; undoing it", id, requested.type(),
                        applied.detail());
                events.accept(CommandEvent.applied(agentId, now(), command, applied.detail() + a.cut
                        + " (after its deadline)"));
                hold(command, applied, a.leaseEnds);
                undo(id, a.undoWhy);
            }
        });
    }

    /** A dry run: the driver's preview of what applying would touch. */
    void check(CheckCommand check) {
        calls.run("check " + check.commandId() + " (" + check.fault().type() + ")", () -> drivers.preview(check.fault()),
                new DriverCalls.Outcome<>() {
            @Override
            public void done(String preview) {
                events.accept(CommandEvent.checked(agentId, now(), check, "would apply " + check.fault().type()
                        + " with lease " + Durations.format(check.lease())
                        + " (signature, policy and capabilities checked)" + (preview == null ? "" : "; " + preview)));
            }

            @Override
            public void failed(Exception e) {
                events.accept(CommandEvent.failed(agentId, now(), check, "would fail: " + e.getMessage()));
            }

            @Override
            public void timedOut(Duration deadline) {
                failed(new FaultException("the driver did not answer within " + Durations.format(deadline)));
            }
        });
    }

    /** Extends the fault's lease to {@code renew.lease()} from now; false when this agent does not hold it. */
    boolean renew(RenewCommand renew) {
        Applying a = applying.get(renew.faultCommandId());
        if (a != null && a.undoWhy == null) {
            a.leaseEnds = now().plus(renew.lease());
            return true;
        }
        Held h = held.get(renew.faultCommandId());
        if (h == null) {
            return false;
        }
        h.timer().cancel();
        hold(h.command(), h.applied(), now().plus(renew.lease()));
        log.debug("renewed {} for {}", renew.faultCommandId(), renew.lease());
        return true;
    }

    /**
     * Undoes one fault; an apply still out is undone the moment it returns, an undo already out is
     * left to finish. Reports "nothing to undo" when the fault is not here.
     */
    void undo(String faultCommandId, String why) {
        Applying a = applying.get(faultCommandId);
        if (a != null) {
            if (a.undoWhy == null) {
                a.undoWhy = why;
            }
            log.info("{} asked to undo {} while its apply is out: undone when the driver answers", why, faultCommandId);
            return;
        }
        if (undoing.containsKey(faultCommandId)) {
            log.info("{} asked to undo {}: its undo is already out", why, faultCommandId);
            return;
        }
        Held h = held.remove(faultCommandId);
        if (h == null) {
            events.accept(CommandEvent.undone(agentId, now(), null, faultCommandId, null,
                    why + ": nothing to undo, fault not active on this agent"));
            return;
        }
        h.timer().cancel();
        ApplyCommand c = h.command();
        undoing.put(faultCommandId, c);
        publishSnapshot();
        calls.run("undo " + c.commandId() + " (" + c.fault().type() + ")", () -> h.applied().undo(),
                new DriverCalls.Outcome<>() {
            @Override
            public void done(String detail) {
                undoing.remove(faultCommandId);
                publishSnapshot();
                journalUndone(c.commandId());
                log.info("undid {} ({}): {}", c.commandId(), why, detail);
                events.accept(CommandEvent.undone(agentId, now(), c.runId(), c.commandId(), c.fault().type(),
                        why + ": " + detail));
            }

            @Override
            public void failed(Exception e) {
                undoing.remove(faultCommandId);
                publishSnapshot();
                // The journal keeps the fault open, so the next start tries again.
                log.error("cannot undo {} ({}): {}", c.commandId(), why, e.getMessage());
                events.accept(CommandEvent.failed(agentId, now(), c, "undo on " + why + " failed: " + e.getMessage()));
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

    /** Undoes every fault held or being applied, the latest first. */
    void undoAll(String why) {
        List<String> ids = new ArrayList<>(held.keySet());
        ids.addAll(applying.keySet());
        Collections.reverse(ids);
        ids.forEach(id -> undo(id, why));
    }

    /** True when no fault is held, being applied or being undone. */
    boolean isEmpty() {
        return held.isEmpty() && applying.isEmpty() && undoing.isEmpty();
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

    private void hold(ApplyCommand command, FaultDriver.Applied applied, Instant leaseEnds) {
        String id = command.commandId();
        Scheduler.Cancellable timer = scheduler.schedule(Duration.between(now(), leaseEnds), () -> expire(id));
        held.put(id, new Held(command, applied, leaseEnds, timer));
        publishSnapshot();
    }

    /** A fault's lease timer: undoes it when its lease has run out, else looks again when it will have. */
    private void expire(String id) {
        Held h = held.get(id);
        if (h == null) {
            return;
        }
        Instant now = now();
        if (now.isBefore(h.leaseEnds())) {
            // The timer ran early by the wall clock (it keeps its own time): look again then.
            held.put(id, new Held(h.command(), h.applied(), h.leaseEnds(),
                    scheduler.schedule(Duration.between(now, h.leaseEnds()), () -> expire(id))));
            return;
        }
        undo(id, "lease expired");
    }

    private void expireDue() {
        Instant now = now();
        List<String> due = new ArrayList<>(held.entrySet().stream().filter(e -> !now.isBefore(e.getValue().leaseEnds()))
                .map(Map.Entry::getKey).toList());
        // An apply still out whose lease ran out goes the moment it returns.
        applying.forEach((id, a) -> {
            if (a.undoWhy == null && !now.isBefore(a.leaseEnds)) {
                due.add(id);
            }
        });
        due.forEach(id -> undo(id, "lease expired"));
    }

    private void publishSnapshot() {
        Map<String, String> m = new LinkedHashMap<>();
        held.forEach((id, h) -> m.put(id, h.command().fault().type()));
        applying.forEach((id, a) -> m.put(id, a.command.fault().type()));
        undoing.forEach((id, c) -> m.put(id, c.fault().type()));
        snapshot = Collections.unmodifiableMap(m);
    }

    private void journalUndone(String commandId) {
        try {
            journal.undone(commandId, now());
        } catch (IOException e) {
            log.warn("cannot record the undo of {} in {}: {} (the next start undoes it again, harmlessly)",
                    commandId, journal.file(), e.getMessage());
        }
    }
}

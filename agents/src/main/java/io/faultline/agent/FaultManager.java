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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the faults an agent holds: the undo journal, the leases and the recovery of a killed
 * predecessor's leftovers. Like Trogdor's {@code WorkerManager}, it is a state machine driven from
 * one thread: every method runs on the {@link Scheduler}'s thread, and so do its lease timers, so
 * nothing here takes a lock. Other threads read {@link #active()}, a snapshot.
 *
 * <p>A lease is checked when it falls due (a timer per fault) and by a sweep every
 * {@link #LEASE_SWEEP}, the safety net for a wall clock that jumps back: a lease is wall-clock
 * time, a timer is not.
 */
final class FaultManager {
    private static final Logger log = LoggerFactory.getLogger(FaultManager.class);
    static final Duration LEASE_SWEEP = Duration.ofSeconds(1);

    private final String agentId;
    private final DriverRegistry drivers;
    private final UndoJournal journal;
    private final Scheduler scheduler;
    private final Consumer<TelemetryEvent> events;
    private final Map<String, Held> held = new LinkedHashMap<>();
    private volatile Map<String, String> snapshot = Map.of();
    private Scheduler.Cancellable sweep;

    /** A fault in place: what was applied, until when its lease runs, and the timer that checks it. */
    private record Held(ApplyCommand command, FaultDriver.Applied applied, Instant leaseEnds,
                        Scheduler.Cancellable timer) {
    }

    FaultManager(String agentId, DriverRegistry drivers, UndoJournal journal, Scheduler scheduler,
                 Consumer<TelemetryEvent> events) {
        this.agentId = agentId;
        this.drivers = drivers;
        this.journal = journal;
        this.scheduler = scheduler;
        this.events = events;
    }

    private Instant now() {
        return scheduler.clock().instant();
    }

    /**
     * Undoes what the journal says an earlier run applied and never undid, reports each, compacts
     * the journal and starts the lease sweep. Returns the command ids still within their notAfter,
     * which must be refused as replays.
     */
    Set<String> recover() {
        if (journal.damaged()) {
            safeMode();
        }
        for (UndoJournal.Entry e : journal.leftovers()) {
            String type = e.fault() == null ? null : e.fault().type();
            try {
                String detail = drivers.recover(e.commandId(), e.fault());
                journal.undone(e.commandId(), now());
                log.warn("undid leftover {} ({}) of an earlier run: {}", e.commandId(), type, detail);
                events.accept(CommandEvent.undone(agentId, now(), e.runId(), e.commandId(), type,
                        "restart: leftover of agent pid " + e.pid() + " undone: " + detail));
            } catch (FaultException | IOException | RuntimeException ex) {
                log.error("cannot undo leftover {} ({}): {}", e.commandId(), type, ex.getMessage());
                events.accept(new CommandEvent(CommandEvent.Step.FAILED, e.runId(), agentId, now(), e.commandId(), type,
                        "restart: cannot undo leftover: " + ex.getMessage()));
            }
        }
        try {
            journal.compact(now());
        } catch (IOException ex) {
            log.warn("cannot compact the journal {}: {}", journal.file(), ex.getMessage());
        }
        sweep = scheduler.scheduleAtFixedRate(LEASE_SWEEP, LEASE_SWEEP, this::expireDue);
        return journal.unexpiredCommandIds(now());
    }

    /**
     * The journal lost records: what they held is unknown, so every driver undoes by tag what it
     * can find of its own; each result is reported, and what could not be undone says so.
     */
    private void safeMode() {
        log.error("undo journal {} has {} unreadable record(s): safe mode, undoing by tag what the drivers find",
                journal.file(), journal.unreadableRecords());
        drivers.sweep().forEach((type, done) -> {
            boolean failed = done.startsWith("FAILED: ");
            String detail = "safe mode (undo journal damaged, " + journal.unreadableRecords()
                    + " unreadable record(s)): " + (failed ? "cannot undo by tag: " + done.substring(8) : done);
            log.warn("{}: {}", type, detail);
            events.accept(new CommandEvent(failed ? CommandEvent.Step.FAILED : CommandEvent.Step.UNDONE, null, agentId,
                    now(), "safe-mode", type, detail));
        });
    }

    /** What keeps this agent from doing its job, for the heartbeat; empty when nothing does. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        if (!journal.writable()) {
            out.add("undo journal unwritable, no fault will be applied: " + journal.unwritableReason());
        }
        return out;
    }

    /** Journals the fault, applies it and starts its lease; a fault that cannot be journaled is not applied. */
    void apply(ApplyCommand command) {
        try {
            journal.applying(command, now());
        } catch (IOException e) {
            log.error("cannot write the undo journal {}: {}", journal.file(), e.getMessage());
            events.accept(CommandEvent.failed(agentId, now(), command,
                    "not applied: cannot write the undo journal: " + e.getMessage()));
            return;
        }
        try {
            FaultSpec fault = command.fault();
            String cut = "";
            if (fault instanceof RedisPauseFault r && r.duration().compareTo(command.lease()) > 0) {
                // Redis ends a pause by itself: one no longer than the lease ends even if this agent dies.
                fault = new RedisPauseFault(r.address(), r.mode(), command.lease());
                cut = " (pause cut from " + Durations.format(r.duration()) + " to its lease "
                        + Durations.format(command.lease()) + ")";
            }
            FaultDriver.Applied applied = drivers.apply(command.commandId(), fault);
            Instant now = now();
            hold(command, applied, now.plus(command.lease()));
            log.info("applied {} ({}): {}{}", command.commandId(), fault.type(), applied.detail(), cut);
            events.accept(CommandEvent.applied(agentId, now, command, applied.detail() + cut));
        } catch (FaultException | RuntimeException e) {
            log.warn("cannot apply {} ({}): {}", command.commandId(), command.fault().type(), e.getMessage());
            // Drivers take back a partial apply themselves, so nothing is left to undo.
            journalUndone(command.commandId());
            events.accept(CommandEvent.failed(agentId, now(), command, e.getMessage()));
        }
    }

    /** A dry run: the driver's preview of what applying would touch. */
    void check(CheckCommand check) {
        try {
            String preview = drivers.preview(check.fault());
            events.accept(CommandEvent.checked(agentId, now(), check, "would apply " + check.fault().type()
                    + " with lease " + Durations.format(check.lease()) + " (signature, policy and capabilities checked)"
                    + (preview == null ? "" : "; " + preview)));
        } catch (FaultException | RuntimeException e) {
            events.accept(CommandEvent.failed(agentId, now(), check, "would fail: " + e.getMessage()));
        }
    }

    /** Extends the fault's lease to {@code renew.lease()} from now; false when this agent does not hold it. */
    boolean renew(RenewCommand renew) {
        Held h = held.get(renew.faultCommandId());
        if (h == null) {
            return false;
        }
        h.timer().cancel();
        hold(h.command(), h.applied(), now().plus(renew.lease()));
        log.debug("renewed {} for {}", renew.faultCommandId(), renew.lease());
        return true;
    }

    /** Undoes one fault; reports "nothing to undo" when it is not held. */
    void undo(String faultCommandId, String why) {
        Held h = held.remove(faultCommandId);
        if (h == null) {
            events.accept(CommandEvent.undone(agentId, now(), null, faultCommandId, null,
                    why + ": nothing to undo, fault not active on this agent"));
            return;
        }
        h.timer().cancel();
        publishSnapshot();
        ApplyCommand c = h.command();
        try {
            String detail = h.applied().undo();
            journalUndone(c.commandId());
            log.info("undid {} ({}): {}", c.commandId(), why, detail);
            events.accept(CommandEvent.undone(agentId, now(), c.runId(), c.commandId(), c.fault().type(),
                    why + ": " + detail));
        } catch (FaultException | RuntimeException e) {
            // The journal keeps the fault open, so the next start tries again.
            log.error("cannot undo {} ({}): {}", c.commandId(), why, e.getMessage());
            events.accept(CommandEvent.failed(agentId, now(), c, "undo on " + why + " failed: " + e.getMessage()));
        }
    }

    /** Undoes every fault held, the latest first. */
    void undoAll(String why) {
        List<String> ids = new ArrayList<>(held.keySet());
        Collections.reverse(ids);
        ids.forEach(id -> undo(id, why));
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    /** Faults held, command id to fault type; safe from any thread. */
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
        List<String> due = held.entrySet().stream().filter(e -> !now.isBefore(e.getValue().leaseEnds()))
                .map(Map.Entry::getKey).toList();
        due.forEach(id -> undo(id, "lease expired"));
    }

    private void publishSnapshot() {
        Map<String, String> m = new LinkedHashMap<>();
        held.forEach((id, h) -> m.put(id, h.command().fault().type()));
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

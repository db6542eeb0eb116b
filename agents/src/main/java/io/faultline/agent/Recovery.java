package io.faultline.agent;

import io.faultline.agent.driver.FaultException;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Durations;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.time.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent does at start about the faults an earlier run of it left: undoes every leftover
 * the journal lists, reporting each, and compacts the journal once those undos have answered;
 * when the journal lost records, safe mode: every driver undoes by tag what it can find of its
 * own. Runs on the fault manager's thread; every driver call goes out through {@link DriverCalls}.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final String agentId;
    private final DriverRegistry drivers;
    private final UndoJournal journal;
    private final Scheduler scheduler;
    private final DriverCalls calls;
    private final Consumer<TelemetryEvent> events;

    Recovery(String agentId, DriverRegistry drivers, UndoJournal journal, Scheduler scheduler, DriverCalls calls,
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

    /** Starts the undos of the leftovers (and the safe-mode sweep if the journal is damaged). */
    void start() {
        if (journal.damaged()) {
            safeMode();
        }
        for (UndoJournal.Entry e : journal.leftovers()) {
            undoLeftover(e);
        }
        calls.idle().thenRun(() -> scheduler.execute(this::compact));
    }

    private void undoLeftover(UndoJournal.Entry e) {
        String type = e.fault() == null ? null : e.fault().type();
        calls.run("undo leftover " + e.commandId() + " (" + type + ")",
                () -> drivers.recover(e.commandId(), e.fault()), new DriverCalls.Outcome<>() {
            @Override
            public void done(String detail) {
                journalUndone(journal, e.commandId(), now());
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

    /** Records in the journal that {@code commandId} was undone; a failure only means the next start undoes it again. */
    static void journalUndone(UndoJournal journal, String commandId, Instant at) {
        try {
            journal.undone(commandId, at);
        } catch (IOException e) {
            log.warn("cannot record the undo of {} in {}: {} (the next start undoes it again, harmlessly)",
                    commandId, journal.file(), e.getMessage());
        }
    }
}

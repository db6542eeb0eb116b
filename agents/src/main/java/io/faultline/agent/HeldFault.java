package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.protocol.ApplyCommand;
import io.faultline.time.Scheduler;
import java.time.Instant;

/**
 * One fault {@link FaultManager} holds: what was asked, where it is in its life, until when its
 * lease runs. Touched on the fault manager's state thread only.
 */
final class HeldFault {
    /** Where a fault is in its life. */
    enum Phase {
        /** Its apply is out at the driver: in place once it returns. */
        APPLYING,
        /** Its apply is out, and it is to be undone the moment the apply returns (heal, halt, lease, deadline). */
        CANCELLING,
        /** In place; its lease timer runs. */
        HELD,
        /** Its undo is out at the driver, or stuck there: it may still be in place. */
        UNDOING,
        /**
         * Its undo failed: it may still be in place, and the undo is tried again after a backoff
         * ({@link FaultManager#UNDO_RETRY}) until it succeeds; reported in every heartbeat meanwhile.
         */
        UNDO_PENDING
    }

    final ApplyCommand command;
    Phase phase = Phase.APPLYING;
    Instant leaseEnds;
    /** Once held: what the driver applied, and the timer that checks the lease. */
    FaultDriver.Applied applied;
    Scheduler.Cancellable timer;
    /** CANCELLING and UNDO_PENDING: why it is to be undone. */
    String undoWhy;
    /** UNDO_PENDING: how many undos failed, the last error, and the timer of the next attempt. */
    int undoFailures;
    String undoError;
    Scheduler.Cancellable retry;

    HeldFault(ApplyCommand command, Instant leaseEnds) {
        this.command = command;
        this.leaseEnds = leaseEnds;
    }

    void cancel(String why) {
        phase = Phase.CANCELLING;
        undoWhy = why;
    }
}

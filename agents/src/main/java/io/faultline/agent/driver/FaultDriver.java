package io.faultline.agent.driver;

import io.faultline.protocol.FaultSpec;
import java.time.Duration;

/**
 * Carries out one type of fault on the agent's host. {@link #apply} returns the handle that
 * undoes exactly what it did.
 */
public interface FaultDriver<F extends FaultSpec> {
    /** The fault spec class this driver executes. */
    Class<F> faultClass();

    /** The fault's wire name, e.g. {@code process.kill}; advertised as a capability. */
    String faultType();

    /**
     * Applies the fault. {@code commandId} names what it puts in place where the host allows
     * (iptables comments, toxic names), so that undo removes exactly that.
     */
    Applied apply(String commandId, F fault) throws FaultException;

    /**
     * Applies the fault held under a lease of {@code lease}: a driver whose fault ends by itself
     * (a Redis pause) bounds it by the lease here, so that it ends even if the agent dies.
     */
    default Applied apply(String commandId, F fault, Duration lease) throws FaultException {
        return apply(commandId, fault);
    }

    /**
     * Undoes what an earlier run of this agent applied for {@code commandId} and never undid (it
     * was killed), knowing only what the undo journal holds: the command id and the spec. Harmless
     * when nothing is left; returns what was done.
     */
    String recover(String commandId, F fault) throws FaultException;

    /**
     * Whether everything {@code fault} puts in place goes with the host's kernel: a stopped
     * process, netfilter rules, queueing disciplines. Its journal record then needs to outlive
     * only the agent's process, which the page cache sees to, and is not forced to disk first. A
     * fault on another system, on files, or one whose undo starts something is not (the default).
     */
    default boolean diesWithHost(F fault) {
        return false;
    }

    /**
     * For a dry run: what applying the fault would touch, looked up without changing anything;
     * null where there is nothing to look up beyond the checks every command goes through.
     */
    default String preview(F fault) throws FaultException {
        return null;
    }

    /**
     * Safe mode, when the undo journal could not be read whole: undoes by tag whatever this driver
     * can find of its own on the host without knowing which command put it there (iptables rules
     * tagged {@code faultline:}, root qdiscs with Faultline's handle, a Redis pause, a stopped
     * service). Returns what was done, or null when this driver cannot find its faults by tag.
     */
    default String sweep() throws FaultException {
        return null;
    }

    /** A fault in place, and how to take it away again. */
    interface Applied {
        /** What was done, for the "applied" telemetry event. */
        String detail();

        /** Undoes the fault; returns what was done. Called at most once. */
        String undo() throws FaultException;

        /** A fault in place described by {@code detail}, undone by {@code undo}. */
        static Applied of(String detail, Undo undo) {
            return new Applied() {
                @Override
                public String detail() {
                    return detail;
                }

                @Override
                public String undo() throws FaultException {
                    return undo.undo();
                }
            };
        }
    }

    /** How a fault is taken away; returns what was done. */
    @FunctionalInterface
    interface Undo {
        String undo() throws FaultException;
    }
}

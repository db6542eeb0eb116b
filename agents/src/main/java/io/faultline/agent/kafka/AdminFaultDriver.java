package io.faultline.agent.kafka;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.journal.PriorStore;
import io.faultline.protocol.FaultSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault made with the Kafka Admin API, undone by putting back what was there. Apply reads the
 * state the fault will change, saves it ({@link PriorStore}, forced to disk) and only then changes
 * the cluster; undo, recovery after a crash and the safe-mode sweep all restore from that record,
 * and delete it once the cluster has its state back. An apply that fails part way restores at once.
 *
 * @param <F> the fault
 * @param <P> the driver's record of the state before
 */
abstract class AdminFaultDriver<F extends FaultSpec, P> implements FaultDriver<F> {
    private static final Logger log = LoggerFactory.getLogger(AdminFaultDriver.class);

    protected final Admin admin;
    private final PriorStore<P> store;

    AdminFaultDriver(Admin admin, PriorStore<P> store) {
        this.admin = admin;
        this.store = store;
    }

    /** The state {@code fault} will change, as it is now; throws when the fault cannot be applied (no such topic). */
    abstract P read(F fault, AdminCalls calls) throws FaultException;

    /** Makes the change; returns what was done. */
    abstract String change(F fault, P prior, AdminCalls calls) throws FaultException;

    /** Puts {@code prior} back; returns what was done. */
    abstract String restore(P prior, AdminCalls calls) throws FaultException;

    /** What {@code fault} would change, for a dry run. */
    abstract String describe(F fault, P prior);

    @Override
    public final Applied apply(String commandId, F fault) throws FaultException {
        P prior = read(fault, AdminCalls.within(AdminCalls.BUDGET));
        try {
            store.save(commandId, prior);
        } catch (IOException e) {
            throw new FaultException("not applied: cannot record the state to restore in " + store.dir() + ": "
                    + e.getMessage());
        }
        String detail;
        try {
            detail = change(fault, prior, AdminCalls.within(AdminCalls.BUDGET));
        } catch (FaultException e) {
            try {
                restore(prior, AdminCalls.within(AdminCalls.BUDGET));
                forget(commandId);
            } catch (FaultException again) {
                if (e instanceof AdminCalls.NotAuthorized && again instanceof AdminCalls.NotAuthorized) {
                    // Refused both ways: this principal could change nothing.
                    forget(commandId);
                    throw new FaultException(e.getMessage() + "; nothing was changed");
                }
                // The record stays: the undo the manager retries, or the next start, restores from it.
                log.warn("apply {} failed and restoring after it failed too: {}", commandId, again.getMessage());
                throw new FaultException(e.getMessage() + "; restoring what was there failed too ("
                        + again.getMessage() + "): the agent restores it at its next start");
            }
            throw e;
        }
        return Applied.of(detail, () -> {
            String done = restore(prior, AdminCalls.within(AdminCalls.BUDGET));
            forget(commandId);
            return done;
        });
    }

    @Override
    public final String recover(String commandId, F fault) throws FaultException {
        Optional<P> prior = load(commandId);
        if (prior.isEmpty()) {
            return "nothing to restore: the change was never made";
        }
        String done = restore(prior.get(), AdminCalls.within(AdminCalls.BUDGET));
        forget(commandId);
        return done;
    }

    @Override
    public final String preview(F fault) throws FaultException {
        return describe(fault, read(fault, AdminCalls.within(AdminCalls.BUDGET)));
    }

    /** Restores every change this driver recorded and never took back, whatever command made it. */
    @Override
    public final String sweep() throws FaultException {
        List<String> ids;
        try {
            ids = store.commandIds();
        } catch (IOException e) {
            throw new FaultException("cannot list " + store.dir() + ": " + e.getMessage());
        }
        if (ids.isEmpty()) {
            return null;
        }
        List<String> done = new ArrayList<>();
        for (String id : ids) {
            Optional<P> prior = load(id);
            if (prior.isPresent()) {
                done.add(id + ": " + restore(prior.get(), AdminCalls.within(AdminCalls.BUDGET)));
            }
            forget(id);
        }
        return String.join("; ", done);
    }

    private Optional<P> load(String commandId) throws FaultException {
        try {
            return store.load(commandId);
        } catch (IOException e) {
            throw new FaultException("cannot read the state to restore: " + e.getMessage());
        }
    }

    private void forget(String commandId) {
        try {
            store.remove(commandId);
        } catch (IOException e) {
            // Harmless: restoring the same state again changes nothing.
            log.warn("cannot delete the restored record of {} in {}: {}", commandId, store.dir(), e.getMessage());
        }
    }
}

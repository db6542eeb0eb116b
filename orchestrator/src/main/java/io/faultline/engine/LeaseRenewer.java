package io.faultline.engine;

import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Target;
import io.faultline.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Keeps the faults of a run alive: renews each one's lease every third of it until it is
 * released (healed). If the orchestrator dies, the renewals stop and the agents' leases undo the
 * faults on their own.
 */
final class LeaseRenewer implements AutoCloseable {
    /** Renewals never come more often than this, whatever the lease. */
    static final Duration MIN_PERIOD = Duration.ofMillis(100);

    private final Scheduler scheduler;
    private final String runId;
    private final Consumer<RenewCommand> send;
    private final Map<String, Scheduler.Cancellable> held = new ConcurrentHashMap<>();

    LeaseRenewer(Scheduler scheduler, String runId, Consumer<RenewCommand> send) {
        this.scheduler = scheduler;
        this.runId = runId;
        this.send = send;
    }

    /** Starts renewing fault {@code commandId} on {@code agentId}, a third of {@code lease} from now. */
    void hold(String commandId, String agentId, Duration lease) {
        Duration period = lease.dividedBy(3).compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : lease.dividedBy(3);
        held.put(commandId, scheduler.scheduleAtFixedRate(period, period, () -> {
            Instant now = scheduler.clock().instant();
            send.accept(new RenewCommand(commandId + ".renew." + now.toEpochMilli(), runId, Target.agent(agentId),
                    commandId, now, now.plus(period), lease));
        }));
    }

    /** Stops renewing the fault (it is being healed). */
    void release(String commandId) {
        Scheduler.Cancellable c = held.remove(commandId);
        if (c != null) {
            c.cancel();
        }
    }

    @Override
    public void close() {
        held.keySet().forEach(this::release);
    }
}

package io.faultline.engine;

import io.faultline.protocol.Durations;
import io.faultline.verifier.FaultWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every fault a run injected, one entry per agent, filled in as the run goes: when the apply was
 * sent and confirmed, when the heal was sent and confirmed. It yields the fault windows the
 * verifier judges, and tells the run what is still to heal.
 */
final class InjectionLedger {
    /** One fault injected on one agent. Times come from the orchestrator's clock. */
    static final class Injection {
        final String step;
        final String commandId;
        final String agentId;
        final String faultType;
        final Instant invokedAt;
        final Duration lease;
        private volatile Instant appliedAt;
        private volatile Instant healInvokedAt;
        private volatile Instant undoneAt;

        private Injection(String step, String commandId, String agentId, String faultType, Instant invokedAt,
                          Duration lease) {
            this.step = step;
            this.commandId = commandId;
            this.agentId = agentId;
            this.faultType = faultType;
            this.invokedAt = invokedAt;
            this.lease = lease;
        }

        boolean healing() {
            return healInvokedAt != null;
        }

        FaultWindow window() {
            return new FaultWindow(step, commandId, agentId, faultType, invokedAt, appliedAt, healInvokedAt, undoneAt);
        }
    }

    private final List<Injection> injections = new CopyOnWriteArrayList<>();

    /** Records a fault the agent confirmed at {@code appliedAt}. */
    Injection applied(String step, String commandId, String agentId, String faultType, Instant invokedAt,
                      Duration lease, Instant appliedAt) {
        Injection inj = new Injection(step, commandId, agentId, faultType, invokedAt, lease);
        inj.appliedAt = appliedAt;
        injections.add(inj);
        return inj;
    }

    /**
     * Records a fault whose agent did not answer the apply in time: it may be in place all the same,
     * so it is healed like any other; its window has no apply time.
     */
    Injection unconfirmed(String step, String commandId, String agentId, String faultType, Instant invokedAt,
                          Duration lease) {
        Injection inj = new Injection(step, commandId, agentId, faultType, invokedAt, lease);
        injections.add(inj);
        return inj;
    }

    /** The heal of {@code inj} was sent at {@code at}. */
    void healSent(Injection inj, Instant at) {
        inj.healInvokedAt = at;
    }

    /** The agent confirmed the undo of {@code inj}. */
    void undone(Injection inj, Instant at) {
        inj.undoneAt = at;
    }

    /** Faults of step {@code step} not yet being healed. */
    List<Injection> unhealed(String step) {
        return injections.stream().filter(i -> i.step.equals(step) && !i.healing()).toList();
    }

    /** Every fault not yet being healed, in the order applied. */
    List<Injection> unhealed() {
        return injections.stream().filter(i -> !i.healing()).toList();
    }

    /** Every fault whose undo no agent has confirmed yet, in the order applied: "step on agent (lease ...)". */
    List<String> notUndone() {
        return injections.stream().filter(i -> i.undoneAt == null)
                .map(i -> i.step + " on " + i.agentId + " (lease " + Durations.format(i.lease) + ")").toList();
    }

    /** The fault windows for the verifier, in the order applied. */
    List<FaultWindow> windows() {
        return injections.stream().map(Injection::window).toList();
    }
}

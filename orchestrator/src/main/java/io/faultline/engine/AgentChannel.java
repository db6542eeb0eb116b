package io.faultline.engine;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's one way to talk to agents: signs and sends apply, heal, renew and check commands to
 * the commands topic, and waits on telemetry for the agent's report. It names every command, so
 * command ids are made in one place: {@code <run>.<step>.<agent>} for a fault, with
 * {@code .heal}, {@code .check} and {@code .renew.<millis>} after it.
 */
final class AgentChannel {
    private static final Logger log = LoggerFactory.getLogger(AgentChannel.class);
    private static final Set<CommandEvent.Step> APPLY_OUTCOMES =
            Set.of(CommandEvent.Step.APPLIED, CommandEvent.Step.FAILED, CommandEvent.Step.REJECTED);
    private static final Set<CommandEvent.Step> CHECK_OUTCOMES =
            Set.of(CommandEvent.Step.CHECKED, CommandEvent.Step.REJECTED, CommandEvent.Step.FAILED);
    private static final Set<CommandEvent.Step> UNDO_OUTCOMES =
            Set.of(CommandEvent.Step.UNDONE, CommandEvent.Step.FAILED, CommandEvent.Step.REJECTED);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final CommandSigner signer;
    private final TelemetryFeed telemetry;
    private final Clock clock;
    private final Duration timeout;
    private final String runId;

    /**
     * What an agent reported on a command, stamped with the orchestrator's receive time; an
     * outcome with a null {@code step} means no report arrived within the command timeout.
     */
    record Outcome(String commandId, CommandEvent.Step step, String detail, Instant at) {
        boolean answered() {
            return step != null;
        }

        boolean is(CommandEvent.Step s) {
            return step == s;
        }
    }

    AgentChannel(Producer<String, byte[]> producer, String topic, CommandSigner signer, TelemetryFeed telemetry,
                 Clock clock, Duration timeout, String runId) {
        this.producer = producer;
        this.topic = topic;
        this.signer = signer;
        this.telemetry = telemetry;
        this.clock = clock;
        this.timeout = timeout;
        this.runId = runId;
    }

    Duration timeout() {
        return timeout;
    }

    /** The id of the fault that step {@code step} puts on agent {@code agentId}. */
    String faultId(String step, String agentId) {
        return runId + "." + step + "." + agentId;
    }

    /** Sends an apply and waits for APPLIED, FAILED or REJECTED. */
    Outcome apply(String step, String agentId, FaultSpec fault, Duration lease, Instant at)
            throws InfrastructureException, InterruptedException {
        String id = faultId(step, agentId);
        send(new ApplyCommand(id, runId, Target.agent(agentId), fault, at, at.plus(timeout), lease));
        return await(id, APPLY_OUTCOMES);
    }

    /**
     * Sends a heal of fault {@code faultId} and waits for its UNDONE (or FAILED, REJECTED). Never
     * throws for Kafka: a heal that cannot be sent is logged and left to the agent's lease.
     */
    Outcome heal(String faultId, String agentId, Instant at) throws InterruptedException {
        try {
            send(new HealCommand(faultId + ".heal", runId, Target.agent(agentId), faultId, at, at.plus(timeout)));
        } catch (InfrastructureException e) {
            log.error("cannot send heal for {}: {} (the agent's lease will undo it)", faultId, e.getMessage());
            return new Outcome(faultId, null, e.getMessage(), null);
        }
        // The agent reports the undo under the fault's own id.
        return await(faultId, UNDO_OUTCOMES);
    }

    /** Asks the agent whether it would apply {@code fault} (keys, policy, capability); changes nothing. */
    Outcome check(String step, String agentId, FaultSpec fault, Duration lease)
            throws InfrastructureException, InterruptedException {
        String id = faultId(step, agentId) + ".check";
        Instant now = clock.instant();
        send(new CheckCommand(id, runId, Target.agent(agentId), fault, now, now.plus(timeout), lease));
        return await(id, CHECK_OUTCOMES);
    }

    /** Sends a lease renewal without waiting: a lost one is covered by the next. */
    void renew(RenewCommand renew) {
        try {
            producer.send(new ProducerRecord<>(topic, renew.target().recordKey(), signer.seal(renew)));
        } catch (RuntimeException e) {
            log.warn("cannot renew {}: {}", renew.faultCommandId(), e.toString());
        }
    }

    private Outcome await(String commandId, Set<CommandEvent.Step> steps) throws InterruptedException {
        TelemetryFeed.Received<CommandEvent> r = telemetry.awaitCommandEvent(commandId, steps, timeout);
        return r == null ? new Outcome(commandId, null, null, null)
                : new Outcome(commandId, r.event().step(), r.event().detail(), r.receivedAt());
    }

    private void send(Command command) throws InfrastructureException {
        try {
            producer.send(new ProducerRecord<>(topic, command.target().recordKey(), signer.seal(command)))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new InfrastructureException("cannot publish command " + command.commandId() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while publishing " + command.commandId());
        }
    }
}

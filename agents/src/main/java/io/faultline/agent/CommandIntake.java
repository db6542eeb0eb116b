package io.faultline.agent;

import io.faultline.agent.policy.AgentPolicy;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Capability;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.Command;
import io.faultline.protocol.CommandVerifier;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.Rejection;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's front door: decides for each record on the commands topic whether it is for this
 * agent and may run, in the order signature, target, expiry, halt, driver and host, policy,
 * replay. No I/O, so every door can be fed anything in tests.
 */
final class CommandIntake {
    private static final int REMEMBERED_COMMANDS = 10_000;

    /** What to do with one record. */
    sealed interface Decision permits Ignore, Reject, Accept {
    }

    /** For another agent. */
    record Ignore() implements Decision {
    }

    private static String faultType(Command c) {
        FaultSpec fault = c instanceof ApplyCommand a ? a.fault() : c instanceof CheckCommand k ? k.fault() : null;
        return fault == null ? null : fault.type();
    }

    /**
     * Refused; {@code runId}, {@code commandId} and {@code faultType} are null when the record was
     * unreadable, and those it claims when its signature did not verify.
     */
    record Reject(Rejection.Exception why, String runId, String commandId, String faultType) implements Decision {
    }

    record Accept(Command command) implements Decision {
    }

    private static final Ignore IGNORE = new Ignore();

    private final String agentId;
    private final Map<String, String> labels;
    private final CommandVerifier verifier;
    private final AgentPolicy policy;
    private final String ownRedis;
    private final Set<String> driverTypes;
    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    });

    CommandIntake(String agentId, Map<String, String> labels, CommandVerifier verifier, AgentPolicy policy,
                  String ownRedis, Set<String> driverTypes) {
        this.agentId = agentId;
        this.labels = Map.copyOf(labels);
        this.verifier = verifier;
        this.policy = policy;
        this.ownRedis = ownRedis;
        this.driverTypes = Set.copyOf(driverTypes);
    }

    /** Command ids to refuse as replays from the start (from the undo journal). */
    synchronized void remember(Collection<String> commandIds) {
        seen.addAll(commandIds);
    }

    /**
     * @param capabilities what the host offers now (see {@link io.faultline.protocol.Capability})
     * @param lastHalt     when the latest halt was issued, or null
     */
    synchronized Decision decide(String key, byte[] value, Instant now, List<String> capabilities, Instant lastHalt) {
        return decide(key, value, now, capabilities, lastHalt, null);
    }

    /**
     * As above, for an agent that may have lost its id: with {@code idHeldBy} (the consumer group in
     * which another agent with this id was given it; null while this one holds it) every command
     * that would be accepted is refused, so two agents with one id never both act.
     */
    synchronized Decision decide(String key, byte[] value, Instant now, List<String> capabilities, Instant lastHalt,
                                 String idHeldBy) {
        boolean forMe = key == null || key.equals(Target.ALL) || key.equals(agentId);
        if (!forMe) {
            return IGNORE;
        }
        if (value != null && value.length > Topics.MAX_COMMAND_BYTES) {
            return new Reject(new Rejection.Exception(Rejection.MALFORMED, "a record of " + value.length
                    + " bytes is larger than any command (at most " + Topics.MAX_COMMAND_BYTES / 1024 + " KiB); not read"),
                    null, null, null);
        }
        Command c;
        try {
            c = verifier.open(value);
        } catch (Rejection.Exception e) {
            // Unsigned, signed by a stranger or altered: name the command it claims to be (when it
            // reads as one for this agent), so the run that sent it learns why at once.
            Command claimed = value == null ? null : CommandVerifier.claimed(value);
            if (claimed != null && claimed.target().matches(agentId, labels)) {
                return new Reject(e, claimed.runId(), claimed.commandId(), faultType(claimed));
            }
            return new Reject(e, null, null, null);
        }
        if (!c.target().matches(agentId, labels)) {
            return IGNORE;
        }
        FaultSpec fault = c instanceof ApplyCommand a ? a.fault() : c instanceof CheckCommand k ? k.fault() : null;
        String type = faultType(c);
        try {
            check(c, fault, now, capabilities, lastHalt);
        } catch (Rejection.Exception e) {
            return new Reject(e, c.runId(), c.commandId(), type);
        }
        seen.add(c.commandId());
        if (idHeldBy != null) {
            return new Reject(new Rejection.Exception(Rejection.DUPLICATE_ID, "another agent with id " + agentId
                    + " holds it (consumer group " + idHeldBy + "); this one acts on no command"), c.runId(),
                    c.commandId(), type);
        }
        return new Accept(c);
    }

    private void check(Command c, FaultSpec fault, Instant now, List<String> capabilities, Instant lastHalt)
            throws Rejection.Exception {
        if (c.expiredAt(now)) {
            throw new Rejection.Exception(Rejection.EXPIRED, "notAfter " + c.notAfter() + " has passed (now " + now + ")");
        }
        if (lastHalt != null && c.issuedAt().isBefore(lastHalt) && !(c instanceof HealCommand)) {
            throw new Rejection.Exception(Rejection.HALTED, "issued at " + c.issuedAt() + ", before the halt of "
                    + lastHalt);
        }
        Duration lease = c instanceof ApplyCommand a ? a.lease() : c instanceof CheckCommand k ? k.lease()
                : c instanceof RenewCommand r ? r.lease() : null;
        if (fault != null) {
            if (!driverTypes.contains(fault.type())) {
                throw new Rejection.Exception(Rejection.UNSUPPORTED, "this agent has no driver for " + fault.type());
            }
            List<String> missing = fault.requires().stream().filter(r -> !capabilities.contains(r)).toList();
            if (!missing.isEmpty()) {
                throw new Rejection.Exception(Rejection.UNSUPPORTED, String.join(", ", missing.stream()
                        .map(m -> Capability.howToGet(m).isEmpty() ? m : m + " (" + Capability.howToGet(m) + ")")
                        .toList()) + ": this agent does not offer what " + fault.type() + " needs here");
            }
            String violation = policy.violation(fault, lease, ownRedis);
            if (violation != null) {
                throw new Rejection.Exception(Rejection.POLICY, violation);
            }
        } else if (lease != null && lease.compareTo(policy.maxLease()) > 0) {
            throw new Rejection.Exception(Rejection.POLICY, "lease " + Durations.format(lease) + " exceeds maxLease "
                    + Durations.format(policy.maxLease()));
        }
        if (seen.contains(c.commandId())) {
            throw new Rejection.Exception(Rejection.REPLAYED, "command " + c.commandId() + " was already received");
        }
    }
}

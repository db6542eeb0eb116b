package io.faultline.engine;

import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.AlertEvent;
import io.faultline.protocol.CircuitEvent;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Rejection;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySignature;
import io.faultline.verifier.History;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who the run believes on the telemetry topic. Agent events (heartbeats and command reports)
 * decide when a fault was applied and undone and whether a service is up, and anyone who can
 * write the topic could send them. Given the agents' keys, the gate believes an agent event only
 * when it is signed by a trusted key ({@link TelemetrySignature}) and is not older than that
 * agent's newest on its partition by more than {@link #REORDER_SLACK} (an old signed event
 * published again); what it refuses is never seen by the run, and is counted for the verdict.
 * Alerts from a bridge and a service's breaker changes decide alert and circuit checks, so with
 * keys they must be signed too (by the bridge's or the service's own key, named as the event's
 * source, or a shared one); a refused one concerns every run, as each reads all of them. Without
 * keys it believes everything, and the verdict says that nothing was checked. The run's own audit
 * record passes as it is.
 */
public final class TelemetryGate {
    /** An agent signs events from several threads, so its own may reach the outbox a little out of order. */
    static final Duration REORDER_SLACK = Duration.ofSeconds(1);
    /** Refusals kept to tell the run's from others'; beyond, counted as refusals of every run. */
    static final int KEPT = 10_000;
    private static final int EXAMPLES = 5;

    private final TelemetrySignature trust;
    private final Map<String, Instant> newest = new HashMap<>();
    private final Map<String, Set<String>> keysByAgent = new HashMap<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private long overflow;

    /**
     * An event not believed: who it claimed to be, and why; {@code everyRun}: an alert or breaker
     * change, which any run may read.
     */
    record Refusal(String agentId, String runId, Rejection reason, String detail, boolean everyRun) {
    }

    private TelemetryGate(TelemetrySignature trust) {
        this.trust = trust;
    }

    /** Believes every event: nothing is checked. */
    public static TelemetryGate open() {
        return new TelemetryGate(null);
    }

    /** Believes agent events signed by one of {@code keys}; with none, {@link #open()}. */
    public static TelemetryGate of(Map<String, PublicKey> keys) {
        return keys.isEmpty() ? open() : new TelemetryGate(new TelemetrySignature(keys));
    }

    public boolean authenticates() {
        return trust != null;
    }

    /**
     * Whether to believe {@code event}, read from {@code partition} with the given signature headers
     * (null when absent) over {@code value}.
     */
    public synchronized boolean admit(TelemetryEvent event, int partition, String keyId, String signature,
                                      byte[] value) {
        boolean agentEvent = event instanceof AgentHeartbeat || event instanceof CommandEvent;
        boolean sharedEvent = event instanceof AlertEvent || event instanceof CircuitEvent;
        if (trust == null || !(agentEvent || sharedEvent)) {
            return true;
        }
        String agent = event.agentId();
        try {
            String key = trust.check(agent, keyId, signature, value, agentEvent ? "agent " : "source ");
            String stream = agent + "@" + partition;
            Instant last = newest.get(stream);
            if (event.at() != null && last != null && event.at().plus(REORDER_SLACK).isBefore(last)) {
                throw new Rejection.Exception(Rejection.REPLAYED, "agent " + agent + ": an event sent at " + event.at()
                        + ", after one it sent at " + last + ": an old event published again");
            }
            if (event.at() != null && (last == null || event.at().isAfter(last))) {
                newest.put(stream, event.at());
            }
            if (agentEvent) {
                keysByAgent.computeIfAbsent(agent, a -> new TreeSet<>()).add(key);
            }
            return true;
        } catch (Rejection.Exception e) {
            if (refusals.size() < KEPT) {
                refusals.add(new Refusal(agent, event.runId(), e.reason(), e.getMessage(), sharedEvent));
            } else {
                overflow++;
            }
            return false;
        }
    }

    /** What the run believed: the refusals that concern run {@code runId} or its {@code agents}. */
    public synchronized History.Telemetry summary(String runId, Set<String> agents) {
        if (trust == null) {
            return new History.Telemetry(false, List.of(), Map.of(), List.of());
        }
        Map<String, Long> rejected = new TreeMap<>();
        Map<String, String> examples = new LinkedHashMap<>();
        for (Refusal r : refusals) {
            if (r.everyRun() || runId.equals(r.runId()) || agents.contains(r.agentId())) {
                rejected.merge(r.reason().wireName(), 1L, Long::sum);
                if (examples.size() < EXAMPLES) {
                    examples.putIfAbsent(r.detail(), r.detail());
                }
            }
        }
        if (overflow > 0) {
            rejected.merge("beyond " + KEPT + " kept", overflow, Long::sum);
        }
        Set<String> keys = new TreeSet<>();
        keysByAgent.forEach((agent, k) -> {
            if (agents.isEmpty() || agents.contains(agent)) {
                keys.addAll(k);
            }
        });
        return new History.Telemetry(true, List.copyOf(keys), rejected, List.copyOf(examples.values()));
    }

    /**
     * Every refusal so far in words, for a preflight that finds no live agent: how many, the
     * latest, and what to check; null when there was none.
     */
    public synchronized String describeRefusals() {
        if (refusals.isEmpty()) {
            return null;
        }
        return refused() + " agent event(s) were not believed, the latest: "
                + refusals.get(refusals.size() - 1).detail()
                + " (is each agent's telemetry key among --agent-keys?)";
    }

    /** Refusals so far, whatever run or agent they claimed. */
    public synchronized long refused() {
        return refusals.size() + overflow;
    }
}

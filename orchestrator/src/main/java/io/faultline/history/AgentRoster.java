package io.faultline.history;

import io.faultline.kafka.Clients;
import io.faultline.kafka.HeaderText;
import io.faultline.kafka.TopicReader;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Rejection;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.protocol.TelemetrySignature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The fleet as its heartbeats tell it: the latest heartbeat of every agent heard from in a window
 * of the telemetry topic, what it holds and what keeps it from its job ({@code faultline agents}).
 */
public final class AgentRoster {
    /**
     * One agent: its latest heartbeat, whether it is still beating, and the key that signed the
     * heartbeat (null when the roster was read without agent keys, so nothing was checked).
     */
    public record Agent(AgentHeartbeat heartbeat, boolean live, Duration silentFor, String signedBy) {
        public Agent(AgentHeartbeat heartbeat, boolean live, Duration silentFor) {
            this(heartbeat, live, silentFor, null);
        }
    }

    /** The agents, and the heartbeats not believed (read with agent keys): how many, and the latest reason. */
    public record Fleet(List<Agent> agents, long refused, String latestRefusal) {
    }

    private AgentRoster() {
    }

    /** The latest heartbeat of every agent heard from since {@code since}, by agent id. */
    public static List<Agent> read(KafkaConnection kafka, String topic, Instant since, Duration liveWithin,
                                   Clock clock, Duration budget) {
        return read(kafka, topic, since, liveWithin, clock, budget, null).agents();
    }

    /**
     * As above; with {@code trust}, a heartbeat counts only when signed by a key it trusts for its
     * agent ({@link TelemetrySignature}), and the others are counted as refused.
     */
    public static Fleet read(KafkaConnection kafka, String topic, Instant since, Duration liveWithin, Clock clock,
                             Duration budget, TelemetrySignature trust) {
        List<AgentHeartbeat> beats = new ArrayList<>();
        Map<String, String> keys = new HashMap<>();
        long[] refused = {0};
        String[] latestRefusal = {null};
        try (KafkaConsumer<String, byte[]> consumer = Clients.reader(kafka, "faultline-agents")) {
            TopicReader.open(consumer, topic, since, Duration.ofSeconds(15), clock).readToEnd(budget, r -> {
                AgentHeartbeat hb;
                try {
                    if (!(Json.decode(r.value(), TelemetryEvent.class) instanceof AgentHeartbeat beat)) {
                        return;
                    }
                    hb = beat;
                } catch (RuntimeException e) {
                    return; // Not telemetry Faultline can read: skipped.
                }
                if (trust != null) {
                    try {
                        keys.put(hb.agentId(), trust.check(hb.agentId(), HeaderText.of(r, TelemetrySignature.KEY_ID),
                                HeaderText.of(r, TelemetrySignature.SIGNATURE), r.value()));
                    } catch (Rejection.Exception e) {
                        refused[0]++;
                        latestRefusal[0] = e.getMessage();
                        return;
                    }
                }
                beats.add(hb);
            });
        }
        List<Agent> agents = latest(beats, clock.instant(), liveWithin).stream()
                .map(a -> new Agent(a.heartbeat(), a.live(), a.silentFor(), keys.get(a.heartbeat().agentId())))
                .toList();
        return new Fleet(agents, refused[0], latestRefusal[0]);
    }

    /** Per agent its latest heartbeat, by agent id; live when it is younger than {@code liveWithin}. */
    static List<Agent> latest(List<AgentHeartbeat> beats, Instant now, Duration liveWithin) {
        Map<String, AgentHeartbeat> last = new LinkedHashMap<>();
        for (AgentHeartbeat hb : beats) {
            last.merge(hb.agentId(), hb, (a, b) -> b.at().isAfter(a.at()) ? b : a);
        }
        return last.values().stream().sorted(Comparator.comparing(AgentHeartbeat::agentId)).map(hb -> {
            Duration silent = Duration.between(hb.at(), now);
            return new Agent(hb, silent.compareTo(liveWithin) <= 0, silent.isNegative() ? Duration.ZERO : silent);
        }).toList();
    }
}

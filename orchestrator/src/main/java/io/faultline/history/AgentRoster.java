package io.faultline.history;

import io.faultline.kafka.Clients;
import io.faultline.kafka.TopicReader;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.Json;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.TelemetryEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The fleet as its heartbeats tell it: the latest heartbeat of every agent heard from in a window
 * of the telemetry topic, what it holds and what keeps it from its job ({@code faultline agents}).
 */
public final class AgentRoster {
    /** One agent: its latest heartbeat, and whether it is still beating. */
    public record Agent(AgentHeartbeat heartbeat, boolean live, Duration silentFor) {
    }

    private AgentRoster() {
    }

    /** The latest heartbeat of every agent heard from since {@code since}, by agent id. */
    public static List<Agent> read(KafkaConnection kafka, String topic, Instant since, Duration liveWithin,
                                   Clock clock, Duration budget) {
        List<AgentHeartbeat> beats = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = Clients.reader(kafka, "faultline-agents")) {
            TopicReader.open(consumer, topic, since, Duration.ofSeconds(15), clock).readToEnd(budget, r -> {
                try {
                    if (Json.decode(r.value(), TelemetryEvent.class) instanceof AgentHeartbeat hb) {
                        beats.add(hb);
                    }
                } catch (RuntimeException e) {
                    // Not telemetry Faultline can read: skipped.
                }
            });
        }
        return latest(beats, clock.instant(), liveWithin);
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

package io.faultline.engine;

import io.faultline.alert.AlertLog;
import io.faultline.alert.AlertNotice;
import io.faultline.protocol.CommandEvent;
import io.faultline.verifier.History;
import java.util.List;

/**
 * What a run saw, kept beside its verdict: Alertmanager's webhook bodies as received, every alert
 * notice from every source, every probe and health sample, and the agents' reports on the run's
 * commands (each with the time the orchestrator received it).
 */
public record Evidence(List<AlertLog.Payload> alertPayloads, List<AlertNotice> alertNotices,
                       List<History.ProbeSample> probeSamples, List<TelemetryFeed.Received<CommandEvent>> commandEvents) {
    public Evidence {
        alertPayloads = List.copyOf(alertPayloads);
        alertNotices = List.copyOf(alertNotices);
        probeSamples = List.copyOf(probeSamples);
        commandEvents = List.copyOf(commandEvents);
    }
}

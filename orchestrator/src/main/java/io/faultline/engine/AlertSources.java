package io.faultline.engine;

import io.faultline.alert.AlertLog;
import io.faultline.alert.AlertReceiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;

/**
 * Where a run's alert notices come from, besides alert bridges on telemetry (always read).
 *
 * @param webhook      where to listen for Alertmanager's webhook; null for none
 * @param alertmanager Alertmanager's base URL to poll (API v2); null for none
 * @param webhookToken the bearer token the webhook requires; null accepts unauthenticated posts
 */
public record AlertSources(InetSocketAddress webhook, URI alertmanager, String webhookToken) {
    public static final AlertSources NONE = new AlertSources(null, null, null);

    public AlertSources(InetSocketAddress webhook, URI alertmanager) {
        this(webhook, alertmanager, null);
    }

    /** The webhook receiver, listening, adding to {@code alerts}; null when there is no webhook. */
    AlertReceiver openWebhook(Clock clock, AlertLog alerts) throws InfrastructureException {
        if (webhook == null) {
            return null;
        }
        try {
            return new AlertReceiver(webhook, clock, "webhook", webhookToken, alerts::add).keepPayloads(alerts);
        } catch (IOException e) {
            throw new InfrastructureException("cannot listen for Alertmanager's webhook on " + webhook + ": "
                    + e.getMessage());
        }
    }
}

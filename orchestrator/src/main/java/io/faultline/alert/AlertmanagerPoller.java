package io.faultline.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.protocol.Json;
import io.faultline.time.Scheduler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls Alertmanager's API v2 ({@code GET /api/v2/alerts}) as a fallback when its webhook
 * cannot reach the orchestrator: an alert that appears active is reported firing, one that
 * disappears is reported resolved.
 */
public final class AlertmanagerPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertmanagerPoller.class);

    private final URI alerts;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Clock clock;
    private final Consumer<List<AlertNotice>> sink;
    private final Map<String, AlertNotice> active = new HashMap<>();
    private final Scheduler timer;
    private final Duration interval;
    private volatile boolean closed;

    /**
     * Polls every {@code interval} on {@code timer} (which it closes when closed), stamping what it
     * sees with the timer's clock.
     */
    public AlertmanagerPoller(URI alertmanager, Duration interval, Scheduler timer, Consumer<List<AlertNotice>> sink) {
        this.alerts = alertmanager.resolve("/api/v2/alerts?silenced=false&inhibited=false");
        this.timer = timer;
        this.clock = timer.clock();
        this.sink = sink;
        this.interval = interval;
        timer.execute(this::pollThenWait);
    }

    /** Polls, then waits {@link #interval} from when the poll ended: a slow Alertmanager is not asked twice at once. */
    private void pollThenWait() {
        if (closed) {
            return;
        }
        poll();
        timer.schedule(interval, this::pollThenWait);
    }

    void poll() {
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(alerts).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                log.warn("GET {} answered {}", alerts, r.statusCode());
                return;
            }
            sink.accept(changes(Json.mapper().readTree(r.body()), clock.instant()));
        } catch (IOException e) {
            log.debug("GET {} failed: {}", alerts, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("alertmanager poll: {}", e.toString());
        }
    }

    /** Turns one listing of active alerts into firing and resolved notices against the previous one. */
    synchronized List<AlertNotice> changes(JsonNode listing, Instant now) {
        Set<String> seen = new HashSet<>();
        List<AlertNotice> out = new ArrayList<>();
        if (listing != null && listing.isArray()) {
            for (JsonNode a : listing) {
                if (!"active".equals(a.path("status").path("state").asText())) {
                    continue;
                }
                Map<String, String> labels = WebhookPayload.labels(a.path("labels"));
                String name = labels.get("alertname");
                if (name == null) {
                    continue;
                }
                AlertNotice n = new AlertNotice(name, true, labels, a.path("fingerprint").asText(null),
                        WebhookPayload.instant(a.path("startsAt")), null, now, "api");
                seen.add(n.identity());
                if (active.putIfAbsent(n.identity(), n) == null) {
                    out.add(n);
                }
            }
        }
        for (var it = active.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!seen.contains(e.getKey())) {
                AlertNotice was = e.getValue();
                out.add(new AlertNotice(was.alertname(), false, was.labels(), was.fingerprint(), was.startsAt(), now, now, "api"));
                it.remove();
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        timer.close();
    }
}

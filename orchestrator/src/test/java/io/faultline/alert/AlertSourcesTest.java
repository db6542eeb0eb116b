package io.faultline.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.Json;
import io.faultline.time.ManualScheduler;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AlertSourcesTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final String PAYLOAD = """
            {"version":"4","groupKey":"{}:{alertname=\\"IngestionLagHigh\\"}","status":"firing","receiver":"faultline",
             "groupLabels":{"alertname":"IngestionLagHigh"},"commonLabels":{},"commonAnnotations":{},"externalURL":"",
             "truncatedAlerts":0,
             "alerts":[{"status":"firing","labels":{"alertname":"IngestionLagHigh","severity":"page"},
                        "annotations":{},"startsAt":"2026-11-22T10:00:01Z","endsAt":"0001-01-01T00:00:00Z",
                        "generatorURL":"","fingerprint":"a1b2"}]}
            """;

    @Test
    void readsAVersionFourWebhookPayload() {
        List<AlertNotice> n = WebhookPayload.parse(PAYLOAD.getBytes(StandardCharsets.UTF_8), T0, "webhook");
        assertThat(n).singleElement().satisfies(a -> {
            assertThat(a.alertname()).isEqualTo("IngestionLagHigh");
            assertThat(a.firing()).isTrue();
            assertThat(a.fingerprint()).isEqualTo("a1b2");
            assertThat(a.startsAt()).isEqualTo(Instant.parse("2026-11-22T10:00:01Z"));
            assertThat(a.endsAt()).as("the zero time means not set").isNull();
        });
        assertThatThrownBy(() -> WebhookPayload.parse(PAYLOAD.replace("\"version\":\"4\"", "\"version\":\"3\"")
                .getBytes(StandardCharsets.UTF_8), T0, "webhook")).hasMessageContaining("version '3' is not supported");
        assertThatThrownBy(() -> WebhookPayload.parse("{".getBytes(), T0, "webhook")).hasMessageStartingWith("not JSON");
    }

    @Test
    void theReceiverAnswersBadPayloadsWith400AndPassesGoodOnesOn() throws Exception {
        List<AlertNotice> got = new CopyOnWriteArrayList<>();
        try (AlertReceiver r = new AlertReceiver(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), "webhook",
                got::addAll)) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + r.port() + "/alerts");
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(PAYLOAD))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            HttpResponse<String> bad = client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers
                    .ofString("{\"version\":\"4\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("no 'alerts' array").doesNotContain("Exception");
        }
        assertThat(got).extracting(AlertNotice::alertname).containsExactly("IngestionLagHigh");
    }

    @Test
    void aWebhookWithATokenRefusesPostsWithoutIt() throws Exception {
        List<AlertNotice> got = new CopyOnWriteArrayList<>();
        try (AlertReceiver r = new AlertReceiver(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), "webhook",
                "s3cret", got::addAll)) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + r.port() + "/alerts");
            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer guess")
                    .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(got).isEmpty();
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer s3cret")
                    .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(got).extracting(AlertNotice::alertname).containsExactly("IngestionLagHigh");
        }
    }

    @Test
    void aClientThatStallsMidRequestDoesNotBlockOthers() throws Exception {
        List<AlertNotice> got = new CopyOnWriteArrayList<>();
        try (AlertReceiver r = new AlertReceiver(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), "webhook",
                got::addAll);
             Socket stalled = new Socket("127.0.0.1", r.port())) {
            // One byte of a request, then nothing: the receiver must keep answering everyone else.
            stalled.getOutputStream().write("POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{".getBytes(
                    StandardCharsets.UTF_8));
            stalled.getOutputStream().flush();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + r.port() + "/alerts");
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                        .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
            }
            assertThat(got).hasSize(3);
        }
    }

    @Test
    void pollingTurnsListingsIntoFiringAndResolvedNotices() throws Exception {
        try (AlertmanagerPoller p = new AlertmanagerPoller(URI.create("http://127.0.0.1:1"), Duration.ofHours(1),
                new ManualScheduler(), n -> { })) {
            var active = Json.mapper().readTree("""
                    [{"labels":{"alertname":"IngestionLagHigh"},"status":{"state":"active"},"fingerprint":"a1",
                      "startsAt":"2026-11-22T10:00:01Z"},
                     {"labels":{"alertname":"Quiet"},"status":{"state":"suppressed"},"fingerprint":"b2"}]""");
            assertThat(p.changes(active, T0)).singleElement().satisfies(n -> assertThat(n.firing()).isTrue());
            assertThat(p.changes(active, T0.plusSeconds(1))).as("still firing: no change").isEmpty();
            assertThat(p.changes(Json.mapper().readTree("[]"), T0.plusSeconds(2))).singleElement()
                    .satisfies(n -> {
                        assertThat(n.firing()).isFalse();
                        assertThat(n.receivedAt()).isEqualTo(T0.plusSeconds(2));
                    });
        }
    }

    @Test
    void theLogKeepsStateChangesOnlyWhateverTheSource() {
        AlertLog log = new AlertLog();
        AlertNotice firing = new AlertNotice("A", true, Map.of(), "f1", T0, null, T0.plusSeconds(1), "webhook");
        log.add(List.of(firing, new AlertNotice("A", true, Map.of(), "f1", T0, null, T0.plusSeconds(2), "api")));
        log.add(List.of(new AlertNotice("A", false, Map.of(), "f1", T0, T0.plusSeconds(5), T0.plusSeconds(6),
                "bridge")));
        assertThat(log.changes()).extracting(AlertLog.Change::firing).containsExactly(true, false);
        assertThat(log.changes().get(0).at()).isEqualTo(T0.plusSeconds(1));
    }
}

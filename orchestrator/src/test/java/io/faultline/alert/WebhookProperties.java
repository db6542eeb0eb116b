package io.faultline.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The alert webhook as anyone who can reach it would use it: random methods, paths, credentials
 * and bodies (valid, mutated, garbage, empty, over the 1 MiB cap), sent one by one and all at
 * once, some while other clients stall mid-request. Every request gets an answer in words
 * (never a 5xx, never a Java type name), and only an authenticated, valid post ever reaches the
 * run: an unauthenticated request that changed an alert would be an escape.
 */
class WebhookProperties {
    private static final String TOKEN = "s3cret-token";
    private static final String PAYLOAD = """
            {"version":"4","groupKey":"g","status":"firing","receiver":"faultline","groupLabels":{},
             "commonLabels":{},"commonAnnotations":{},"externalURL":"","truncatedAlerts":0,
             "alerts":[{"status":"firing","labels":{"alertname":"LagHigh"},"annotations":{},
                        "startsAt":"2026-11-22T10:00:01Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"",
                        "fingerprint":"f1"}]}
            """;
    private static final Set<Integer> ANSWERS = Set.of(200, 400, 401, 404, 405, 413);

    private static AlertReceiver receiver;
    private static final List<AlertNotice> received = new CopyOnWriteArrayList<>();
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One request: what it sends, and whether it should reach the run. */
    record Req(String method, String path, String auth, byte[] body, String kind, int notices) {
        boolean authorised() {
            return ("Bearer " + TOKEN).equals(auth);
        }

        boolean shouldReach() {
            return authorised() && method.equals("POST") && path.startsWith("/alerts") && kind.equals("valid");
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        receiver = new AlertReceiver(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), "webhook", TOKEN,
                received::addAll);
    }

    @AfterContainer
    static void stop() {
        receiver.close();
    }

    private static HttpResponse<String> send(Req r) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + r.path()))
                .timeout(Duration.ofSeconds(20))
                .method(r.method(), HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (r.auth() != null) {
            b.header("Authorization", r.auth());
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void judge(Req r, HttpResponse<String> response, int before) {
        assertThat(response.statusCode()).as("%s %s (%s)", r.method(), r.path(), r.kind()).isIn(ANSWERS);
        assertThat(response.body()).doesNotContain("Exception", "java.", "com.fasterxml");
        if (response.statusCode() == 200 && r.path().startsWith("/alerts")) {
            assertThat(r.shouldReach()).as("an escape: %s %s (%s, auth %s) was taken", r.method(), r.path(), r.kind(),
                    r.auth()).isTrue();
        }
        if (r.shouldReach()) {
            assertThat(response.statusCode()).isEqualTo(200);
        }
        Statistics.label("answer").collect(response.statusCode());
    }

    @Property(tries = 300)
    void everyRequestIsAnsweredAndOnlyAuthenticatedValidPostsReachTheRun(@ForAll("requests") Req r) throws Exception {
        int before = received.size();
        HttpResponse<String> response = send(r);
        judge(r, response, before);
        assertThat(received.size() - before).isEqualTo(r.shouldReach() ? r.notices() : 0);
        Statistics.label("kind").collect(r.kind());
        Statistics.label("answer").coverage(c -> {
            c.check(200).percentage(p -> p >= 5);
            c.check(401).percentage(p -> p >= 20);
            c.check(400).percentage(p -> p >= 2);
        });
    }

    @Property(tries = 15)
    void aBurstOfRequestsWhileSomeClientsStallIsAnsweredInFull(@ForAll("burst") List<Req> burst,
                                                                 @ForAll @IntRange(min = 1, max = 3) int stalled)
            throws Exception {
        List<Socket> stalls = new ArrayList<>();
        try {
            for (int i = 0; i < stalled; i++) {
                Socket s = new Socket("127.0.0.1", receiver.port());
                OutputStream out = s.getOutputStream();
                out.write(("POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Length: 900\r\n\r\n{").getBytes(StandardCharsets.UTF_8));
                out.flush();
                stalls.add(s);
            }
            int before = received.size();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (Req r : burst) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return send(r);
                    } catch (Exception e) {
                        throw new IllegalStateException(r.kind() + ": " + e, e);
                    }
                }));
            }
            for (int i = 0; i < burst.size(); i++) {
                judge(burst.get(i), answers.get(i).join(), before);
            }
            assertThat(received.size() - before).isEqualTo(burst.stream().filter(Req::shouldReach)
                    .mapToInt(Req::notices).sum());
        } finally {
            for (Socket s : stalls) {
                s.close();
            }
        }
    }

    @Provide
    Arbitrary<List<Req>> burst() {
        return requests().list().ofMinSize(5).ofMaxSize(24);
    }

    @Provide
    Arbitrary<Req> requests() {
        Arbitrary<String> method = Arbitraries.frequency(
                Tuple.of(8, "POST"), Tuple.of(1, "GET"), Tuple.of(1, "PUT"),
                Tuple.of(1, "DELETE"));
        Arbitrary<String> path = Arbitraries.frequency(Tuple.of(8, "/alerts"),
                Tuple.of(1, "/"), Tuple.of(1, "/alerts/x"),
                Tuple.of(1, "/-/healthy"), Tuple.of(1, "/nothing"));
        Arbitrary<String> auth = Arbitraries.frequency(
                Tuple.of(4, "Bearer " + TOKEN), Tuple.of(2, "__none__"),
                Tuple.of(1, "Bearer wrong"), Tuple.of(1, "bearer " + TOKEN),
                Tuple.of(1, "Bearer " + TOKEN + "x"), Tuple.of(1, "Bearer"),
                Tuple.of(1, "Basic " + TOKEN), Tuple.of(1, TOKEN),
                Tuple.of(1, "Bearer " + TOKEN.substring(0, TOKEN.length() - 1)));
        Arbitrary<Object[]> body = Arbitraries.frequency(
                Tuple.of(4, new Object[] {PAYLOAD.getBytes(StandardCharsets.UTF_8), "valid"}),
                Tuple.of(1, new Object[] {new byte[0], "empty"}),
                Tuple.of(1, new Object[] {new byte[(1 << 20) + 17], "over the cap"}),
                Tuple.of(1, new Object[] {"{\"version\":\"4\"}".getBytes(StandardCharsets.UTF_8),
                        "no alerts"})).flatMap(b -> Arbitraries.just(b));
        Arbitrary<Object[]> mutated = Combinators.combine(Arbitraries.integers().between(0, PAYLOAD.length() - 1),
                Arbitraries.chars().with('{', '}', '"', ':', ',', 'x', '\u0000', '\u00ff')).as((at, c) ->
                new Object[] {(PAYLOAD.substring(0, at) + c + PAYLOAD.substring(at + 1)).getBytes(StandardCharsets.UTF_8),
                        "mutated"});
        Arbitrary<Object[]> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
                .map(b -> new Object[] {b, "garbage"});
        Arbitrary<Object[]> anyBody = Arbitraries.frequencyOf(Tuple.of(5, body),
                Tuple.of(2, mutated), Tuple.of(1, garbage));
        return Combinators.combine(method, path, auth, anyBody).as((m, p, a, b) -> {
            // A mutation may leave the payload valid: what counts is whether it parses.
            byte[] bytes = m.equals("GET") || m.equals("DELETE") ? new byte[0] : (byte[]) b[0];
            int notices = notices(bytes);
            String kind = notices >= 0 ? "valid" : bytes.length == 0 ? "empty" : (String) b[1];
            return new Req(m, p, a.equals("__none__") ? null : a, bytes, kind, Math.max(0, notices));
        });
    }

    /** How many notices a body carries, or -1 when the receiver must refuse it. */
    private static int notices(byte[] body) {
        if (body.length > (1 << 20)) {
            return -1;
        }
        try {
            return WebhookPayload.parse(body, Instant.now(), "webhook").size();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}

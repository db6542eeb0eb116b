package io.faultline.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.faultline.protocol.InvalidFieldException;
import io.faultline.scenario.StopCondition.HttpProbeSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Smoke checks as HTTP probes against a real HTTP server whose answers the test sets: a CORS
 * preflight, a 401 without a token, a health body; each passes on the right answer and fails,
 * saying what it saw, on the wrong one.
 */
class HttpProbeTest {
    private HttpServer server;
    private final AtomicReference<String> allowedOrigin = new AtomicReference<>("https://shop.example");
    private final AtomicReference<Boolean> requireToken = new AtomicReference<>(true);
    private final AtomicReference<String> health = new AtomicReference<>("{\"status\":\"UP\"}");

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/orders", ex -> {
            if (ex.getRequestMethod().equals("OPTIONS")) {
                ex.getResponseHeaders().add("Access-Control-Allow-Origin", allowedOrigin.get());
                ex.getResponseHeaders().add("Access-Control-Allow-Methods", "GET, POST");
                ex.sendResponseHeaders(204, -1);
            } else if (requireToken.get() && ex.getRequestHeaders().getFirst("Authorization") == null) {
                ex.sendResponseHeaders(401, -1);
            } else {
                ex.sendResponseHeaders(200, -1);
            }
            ex.close();
        });
        server.createContext("/health", ex -> {
            byte[] b = health.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void aCorsPreflightMustAllowTheOrigin() {
        HttpProbe cors = new HttpProbe(new HttpProbeSpec(url("/api/orders"), 204, Duration.ofSeconds(2), null, "OPTIONS",
                Map.of("Origin", "https://shop.example", "Access-Control-Request-Method", "POST"), null,
                Map.of("Access-Control-Allow-Origin", "https://shop.example"), null));
        assertThat(cors.sample().ok()).isTrue();
        allowedOrigin.set("https://evil.example");
        Probe.Sample wrong = cors.sample();
        assertThat(wrong.ok()).isFalse();
        assertThat(wrong.detail()).contains("OPTIONS " + url("/api/orders") + " answered 204",
                "header Access-Control-Allow-Origin is 'https://evil.example', expected it to hold 'https://shop.example'");
    }

    @Test
    void aCallWithoutATokenMustBeRefused() {
        HttpProbe anonymous = new HttpProbe(new HttpProbeSpec(url("/api/orders"), 401, Duration.ofSeconds(2), null, "POST",
                Map.of("Content-Type", "application/json"), "{\"item\":1}", null, null));
        assertThat(anonymous.sample().ok()).isTrue();
        requireToken.set(false);
        Probe.Sample open = anonymous.sample();
        assertThat(open.ok()).isFalse();
        assertThat(open.detail()).matches("POST .*/api/orders answered 200 in \\d+ ms, expected 401");
    }

    @Test
    void aHealthBodyMustHoldItsFragment() {
        HttpProbe up = new HttpProbe(new HttpProbeSpec(url("/health"), 200, Duration.ofSeconds(2), null, null, null, null,
                null, "\"UP\""));
        assertThat(up.sample().ok()).isTrue();
        health.set("{\"status\":\"DOWN\",\"db\":\"unreachable\"}");
        assertThat(up.sample().detail()).contains("body does not hold '\"UP\"' (it begins '{\"status\":\"DOWN\"");
    }

    @Test
    void aRequestThatCannotBeSentIsRefusedAtLoad() {
        assertThatThrownBy(() -> new HttpProbeSpec(url("/"), 200, null, null, "FETCH", null, null, null, null))
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("'FETCH' is not one of DELETE, GET, HEAD");
        assertThatThrownBy(() -> new HttpProbeSpec(url("/"), 200, null, null, null, Map.of("Host", "x"), null, null, null))
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("cannot be sent");
    }
}

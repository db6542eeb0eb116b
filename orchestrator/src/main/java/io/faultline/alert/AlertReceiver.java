package io.faultline.alert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Alertmanager webhook receiver: {@code POST /alerts} with a version 4 payload. Every notice
 * goes to {@code sink}; a malformed body is answered 400 with the reason, never a stack trace.
 * {@code GET /-/healthy} answers 200.
 */
public final class AlertReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertReceiver.class);
    private static final int MAX_BODY = 1 << 20;

    private final HttpServer server;

    public AlertReceiver(InetSocketAddress address, Clock clock, String source, Consumer<List<AlertNotice>> sink)
            throws IOException {
        server = HttpServer.create(address, 16);
        server.createContext("/alerts", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    reply(exchange, 405, "POST an Alertmanager webhook payload here\n");
                    return;
                }
                byte[] body = read(exchange.getRequestBody());
                if (body == null) {
                    reply(exchange, 413, "payload larger than " + MAX_BODY + " bytes\n");
                    return;
                }
                List<AlertNotice> notices;
                try {
                    notices = WebhookPayload.parse(body, clock.instant(), source);
                } catch (IllegalArgumentException e) {
                    log.warn("rejected a webhook payload: {}", e.getMessage());
                    reply(exchange, 400, e.getMessage() + "\n");
                    return;
                }
                sink.accept(notices);
                reply(exchange, 200, "ok\n");
            } catch (RuntimeException e) {
                log.warn("webhook: {}", e.toString());
            }
        });
        server.createContext("/-/healthy", exchange -> {
            try (exchange) {
                reply(exchange, 200, "ok\n");
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "alert-webhook");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static byte[] read(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

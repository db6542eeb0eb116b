package io.faultline.alert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.faultline.protocol.HttpServerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Alertmanager webhook receiver: {@code POST /alerts} with a version 4 payload. Every notice
 * goes to {@code sink}; a malformed body is answered 400 with the reason, never a stack trace.
 * {@code GET /-/healthy} answers 200.
 *
 * <p>Hostile or broken clients: with a token, a post without {@code Authorization: Bearer <token>}
 * (what Alertmanager's {@code http_config.authorization} sends) is answered 401; bodies are capped
 * at 1 MiB; requests are served by {@link #THREADS} threads with {@link #QUEUE} waiting at most, so
 * one client that stalls mid-request holds one thread, not the receiver; and the JDK server closes
 * a request not read within {@link #REQUEST_TIMEOUT}.
 */
public final class AlertReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertReceiver.class);
    private static final int MAX_BODY = 1 << 20;
    private static final long MAX_DRAIN = 8L << 20;
    /** More than a few slow clients: each holds a thread for at most {@link HttpServerLimits#MAX_REQUEST_SECONDS}. */
    static final int THREADS = 16;
    static final int QUEUE = 64;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    static {
        // The JDK server's own deadlines for reading a request and writing a response (seconds).
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_TIMEOUT.toSeconds())));
        System.setProperty("sun.net.httpserver.maxRspTime",
                System.getProperty("sun.net.httpserver.maxRspTime", Long.toString(REQUEST_TIMEOUT.toSeconds())));
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private volatile AlertLog raw;

    /** Also keeps every accepted body, as received, in {@code log} (the run's evidence). */
    public AlertReceiver keepPayloads(AlertLog log) {
        this.raw = log;
        return this;
    }

    public AlertReceiver(InetSocketAddress address, Clock clock, String source, Consumer<List<AlertNotice>> sink)
            throws IOException {
        this(address, clock, source, null, sink);
    }

    /** @param token the bearer token every post must carry; null accepts unauthenticated posts */
    public AlertReceiver(InetSocketAddress address, Clock clock, String source, String token,
                         Consumer<List<AlertNotice>> sink) throws IOException {
        byte[] expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (token == null) {
            log.warn("the alert webhook on {} accepts posts from anyone who can reach it; give it a token", address);
        }
        HttpServerLimits.apply();
        server = HttpServer.create(address, 16);
        server.createContext("/alerts", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    drain(exchange.getRequestBody());
                    reply(exchange, 405, "POST an Alertmanager webhook payload here\n");
                    return;
                }
                if (expected != null) {
                    String auth = exchange.getRequestHeaders().getFirst("Authorization");
                    if (auth == null || !MessageDigest.isEqual(expected,
                            auth.getBytes(StandardCharsets.UTF_8))) {
                        drain(exchange.getRequestBody());
                        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                        reply(exchange, 401, "a bearer token is required\n");
                        return;
                    }
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
                var keep = raw;
                if (keep != null) {
                    keep.payload(clock.instant(), source, new String(body, StandardCharsets.UTF_8));
                }
                reply(exchange, 200, "ok\n");
            } catch (RuntimeException e) {
                log.warn("webhook: {}", e.toString());
            }
        });
        server.createContext("/-/healthy", exchange -> {
            try (exchange) {
                drain(exchange.getRequestBody());
                reply(exchange, 200, "ok\n");
            }
        });
        server.createContext("/", exchange -> {
            try (exchange) {
                drain(exchange.getRequestBody());
                reply(exchange, 404, "nothing here: POST alerts to /alerts\n");
            }
        });
        executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "alert-webhook");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * The body, or null when it is over {@link #MAX_BODY}; the rest of an oversized body is
     * drained, so that the 413 reaches a client still sending.
     */
    private static byte[] read(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length <= MAX_BODY) {
            return body;
        }
        drain(in);
        return null;
    }

    /**
     * Reads and throws away what a client sends, up to {@link #MAX_DRAIN}, before answering it
     * early: a socket closed with unread bytes is reset, and the answer lost. Beyond that the
     * connection is just closed.
     */
    private static void drain(InputStream in) throws IOException {
        long drained = 0;
        byte[] sink = new byte[8192];
        int n;
        while (drained < MAX_DRAIN && (n = in.read(sink)) >= 0) {
            drained += n;
        }
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
        executor.shutdownNow();
    }
}

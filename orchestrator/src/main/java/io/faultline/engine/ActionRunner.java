package io.faultline.engine;

import io.faultline.protocol.Durations;
import io.faultline.scenario.ActionSpec;
import io.faultline.verifier.History;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out an {@link ActionSpec} on the orchestrator's host: a command run from its argument
 * list (no shell), its standard input empty, its output and errors kept (the last
 * {@link #KEPT_BYTES}); or an HTTP request. Each within its timeout: a command still running then
 * is stopped (TERM, then KILL after {@link #GRACE}, its child processes with it). What happened is
 * an {@link History.ActionRun} for the verdict; nothing here throws but an interrupt.
 */
final class ActionRunner {
    private static final Logger log = LoggerFactory.getLogger(ActionRunner.class);
    /** The most output kept per action, from its end. */
    static final int KEPT_BYTES = 64 * 1024;
    /** The most output lines the verdict keeps per action. */
    static final int KEPT_LINES = 20;
    static final int LINE_CHARS = 300;
    static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration SLICE = Duration.ofMillis(50);

    private final Clock clock;

    ActionRunner(Clock clock) {
        this.clock = clock;
    }

    /**
     * Runs {@code action} as step or rollback {@code name}; {@code stop}, asked while it runs,
     * cuts a command short (the run was aborted).
     */
    History.ActionRun run(String name, boolean rollback, ActionSpec action, BooleanSupplier stop)
            throws InterruptedException {
        Instant start = clock.instant();
        String what = action.describe();
        log.info("{} {}: {}", rollback ? "rollback" : "action", name, what);
        if (action.run() != null) {
            return command(name, rollback, action, what, start, stop);
        }
        return http(name, rollback, action, what, start);
    }

    private History.ActionRun command(String name, boolean rollback, ActionSpec action, String what, Instant start,
                                      BooleanSupplier stop) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(action.run()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            return new History.ActionRun(name, rollback, what, start, clock.instant(), false, null,
                    "cannot start " + action.run().get(0) + ": " + e.getMessage(), List.of());
        }
        Tail tail = new Tail(p.getInputStream());
        Thread reader = new Thread(tail, "action-output-" + name);
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + action.timeout().toNanos();
        String failure = null;
        try {
            while (!p.waitFor(SLICE.toMillis(), TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    failure = "did not finish within its timeout, " + Durations.format(action.timeout())
                            + ", and was stopped";
                    break;
                }
                if (stop.getAsBoolean()) {
                    failure = "was stopped: the run was aborted";
                    break;
                }
            }
        } finally {
            if (p.isAlive()) {
                stop(p);
            }
        }
        reader.join(GRACE.toMillis());
        Integer code = failure == null ? p.exitValue() : null;
        if (failure == null && code != 0) {
            failure = "exited " + code;
        }
        return new History.ActionRun(name, rollback, what, start, clock.instant(), failure == null, code, failure,
                tail.lines());
    }

    /** TERM to the command and its children, then KILL to whatever is left after the grace period. */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!p.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private History.ActionRun http(String name, boolean rollback, ActionSpec action, String what, Instant start)
            throws InterruptedException {
        ActionSpec.Http h = action.http();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.url())).timeout(action.timeout())
                .method(h.method(), h.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(h.body()));
        try {
            h.headers().forEach(b::header);
        } catch (IllegalArgumentException e) {
            return new History.ActionRun(name, rollback, what, start, clock.instant(), false, null,
                    "a header is not allowed: " + e.getMessage(), List.of());
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(action.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        try {
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> body;
            try (InputStream in = r.body()) {
                body = lines(in.readNBytes(KEPT_BYTES));
            }
            boolean ok = h.expected(r.statusCode());
            return new History.ActionRun(name, rollback, what, start, clock.instant(), ok, r.statusCode(),
                    ok ? null : "answered " + r.statusCode() + (h.expectStatus() == null ? ", not 2xx"
                            : ", not " + h.expectStatus()), body);
        } catch (IOException e) {
            return new History.ActionRun(name, rollback, what, start, clock.instant(), false, null,
                    "the request failed: " + inWords(e, URI.create(h.url()), action.timeout()), List.of());
        }
    }

    /** Why a request failed, in words: no Java type names. */
    static String inWords(IOException e, URI url, Duration timeout) {
        String where = url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + where + " within " + Durations.format(timeout);
        }
        if (e instanceof ConnectException) {
            return "could not connect to " + where + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + url.getHost();
        }
        return e.getMessage() != null ? e.getMessage() : "the connection to " + where + " failed";
    }

    /** The last {@link #KEPT_LINES} lines of {@code bytes}, each shortened, control characters removed. */
    static List<String> lines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String clean = line.replaceAll("\\p{Cntrl}", "").strip();
            if (!clean.isEmpty()) {
                out.add(clean.length() > LINE_CHARS ? clean.substring(0, LINE_CHARS) + "..." : clean);
            }
        }
        return List.copyOf(out.subList(Math.max(0, out.size() - KEPT_LINES), out.size()));
    }

    /** Reads a command's output to its end, keeping the last {@link #KEPT_BYTES}. */
    private static final class Tail implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[KEPT_BYTES];
        private long total;

        Tail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % KEPT_BYTES)] = buf[i];
                        }
                    }
                }
            } catch (IOException e) {
                // The command was stopped, or closed its output: what was read is kept.
            }
        }

        synchronized List<String> lines() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long from = Math.max(0, total - KEPT_BYTES);
            for (long i = from; i < total; i++) {
                out.write(ring[(int) (i % KEPT_BYTES)]);
            }
            return ActionRunner.lines(out.toByteArray());
        }
    }
}

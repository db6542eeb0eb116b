package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.scenario.ActionSpec;
import io.faultline.verifier.History;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real commands and a real HTTP server: what an action did is what the run keeps. */
class ActionRunnerTest {
    private final ActionRunner runner = new ActionRunner(Clock.systemUTC());
    private HttpServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private History.ActionRun run(List<String> argv, Duration timeout) throws InterruptedException {
        return runner.run("a", false, new ActionSpec(argv, null, timeout), () -> false);
    }

    @Test
    void aCommandThatSucceedsDidWhatItSaysAndKeepsItsOutput() throws Exception {
        Path done = dir.resolve("done");
        History.ActionRun r = run(List.of("sh", "-c", "echo rolled back; touch '" + done + "'"), null);
        assertThat(r.ok()).isTrue();
        assertThat(r.code()).isZero();
        assertThat(r.failure()).isNull();
        assertThat(r.output()).containsExactly("rolled back");
        assertThat(done).exists();
    }

    @Test
    void aCommandThatFailsKeepsItsExitCodeAndTheTailOfItsOutput() throws Exception {
        History.ActionRun r = run(List.of("sh", "-c", "for i in $(seq 1 50); do echo line $i; done; "
                + "printf 'bad \\033[31mthing\\033[0m\\n' >&2; exit 3"), null);
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.failure()).isEqualTo("exited 3");
        assertThat(r.output()).hasSize(ActionRunner.KEPT_LINES).endsWith("line 50", "bad [31mthing[0m");
    }

    @Test
    void aCommandPastItsTimeoutIsStoppedWithItsChildren() throws Exception {
        Path pid = dir.resolve("child.pid");
        History.ActionRun r = run(List.of("sh", "-c", "sleep 300 & echo $! > '" + pid + "'; wait"),
                Duration.ofSeconds(1));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isNull();
        assertThat(r.failure()).isEqualTo("did not finish within its timeout, 1s, and was stopped");
        long child = Long.parseLong(Files.readString(pid).strip());
        // Gone, or a zombie left for whoever reaps orphans here: either way no longer running.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !running(child));
    }

    /** Whether process {@code pid} exists and is not a zombie, from /proc. */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    }

    @Test
    void anAbortCutsACommandShort() throws Exception {
        long start = System.nanoTime();
        History.ActionRun r = runner.run("a", false, new ActionSpec(List.of("sleep", "300"), null, null),
                () -> System.nanoTime() - start > Duration.ofMillis(200).toNanos());
        assertThat(r.ok()).isFalse();
        assertThat(r.failure()).isEqualTo("was stopped: the run was aborted");
    }

    @Test
    void aProgramThatDoesNotExistIsAFailureInWords() throws Exception {
        History.ActionRun r = run(List.of("faultline-no-such-program"), null);
        assertThat(r.ok()).isFalse();
        assertThat(r.failure()).startsWith("cannot start faultline-no-such-program: ");
    }

    @Test
    void aRequestSucceedsOnlyWithTheStatusItExpects() throws Exception {
        AtomicReference<String> got = new AtomicReference<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/deploy", exchange -> {
            got.set(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Token") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "accepted\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/deploy";
        History.ActionRun ok = runner.run("a", true, new ActionSpec(null, new ActionSpec.Http(url, "post",
                Map.of("X-Token", "t0k"), "{\"version\": \"1.4.2\"}", 202), null), () -> false);
        assertThat(ok.ok()).isTrue();
        assertThat(ok.code()).isEqualTo(202);
        assertThat(ok.output()).containsExactly("accepted");
        assertThat(got.get()).isEqualTo("POST t0k {\"version\": \"1.4.2\"}");
        History.ActionRun wrong = runner.run("a", true, new ActionSpec(null, new ActionSpec.Http(url, "post",
                null, null, 200), null), () -> false);
        assertThat(wrong.ok()).isFalse();
        assertThat(wrong.failure()).isEqualTo("answered 202, not 200");
        History.ActionRun nobody = runner.run("a", true, new ActionSpec(null, new ActionSpec.Http(
                "http://127.0.0.1:1/none", null, null, null, null), Duration.ofSeconds(2)), () -> false);
        assertThat(nobody.ok()).isFalse();
        assertThat(nobody.failure()).startsWith("the request failed: could not connect to 127.0.0.1:1")
                .doesNotContain("Exception");
    }
}

package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.demo.ChildJvm;
import io.faultline.testkit.TestKafka;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Slow clients cannot starve a server of Faultline's: twelve clients that trickle their request a
 * byte at a time, and reconnect whenever they are dropped, beside legitimate posts to a real
 * {@code faultline alert-bridge}. Every legitimate post is answered within a 5 s client timeout.
 */
class SlowClientsIT {
    private static final String PAYLOAD = """
            {"version":"4","groupKey":"{}:{alertname=\\"SlowClients\\"}","status":"firing","receiver":"faultline",
             "groupLabels":{"alertname":"SlowClients"},"commonLabels":{},"commonAnnotations":{},"externalURL":"",
             "truncatedAlerts":0,
             "alerts":[{"status":"firing","labels":{"alertname":"SlowClients"},
                        "annotations":{},"startsAt":"2026-11-22T10:00:01Z","endsAt":"0001-01-01T00:00:00Z",
                        "generatorURL":"","fingerprint":"a1b2"}]}
            """;

    @Test
    void legitimatePostsAreAnsweredWhileSlowClientsTrickle() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("faultline-slow-clients");
        Process bridge = ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx128m"), List.of("alert-bridge",
                "--listen", "127.0.0.1:" + port, "--no-webhook-auth", "-b", TestKafka.bootstrapServers(),
                "--topic-prefix", "slow-it."), dir.resolve("bridge.log"));
        AtomicBoolean going = new AtomicBoolean(true);
        AtomicInteger dropped = new AtomicInteger();
        List<Thread> slow = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/alerts"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(PAYLOAD)).build();
            await("the bridge listening").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (int i = 0; i < 12; i++) {
                Thread t = new Thread(() -> {
                    while (going.get()) {
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            OutputStream out = s.getOutputStream();
                            out.write("POST /alerts HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                            while (going.get()) {
                                out.write('a');
                                out.flush();
                                Thread.sleep(300);
                            }
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            dropped.incrementAndGet();
                        }
                    }
                }, "slow-client-" + i);
                t.setDaemon(true);
                t.start();
                slow.add(t);
            }
            // Let the slow clients take hold, then post for longer than a slow client may hold a thread.
            Thread.sleep(1000);
            int answered = 0;
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                try {
                    int code = http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode();
                    if (code == 200) {
                        answered++;
                    } else {
                        missed.add("HTTP " + code);
                    }
                } catch (Exception e) {
                    missed.add(e.getClass().getSimpleName());
                }
                Thread.sleep(500);
            }
            System.out.println("slow clients: " + answered + " of 12 legitimate posts answered; slow clients dropped "
                    + dropped.get() + " times");
            assertThat(missed).as("every legitimate post answered").isEmpty();
            assertThat(dropped.get()).as("the server dropped the slow clients at its deadline").isPositive();
        } finally {
            going.set(false);
            slow.forEach(Thread::interrupt);
            ChildJvm.stop(bridge, Duration.ofSeconds(10));
        }
    }
}

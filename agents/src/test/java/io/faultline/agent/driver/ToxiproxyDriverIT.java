package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.rekawek.toxiproxy.ToxiproxyClient;
import io.faultline.protocol.ToxiproxyFault;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.toxiproxy.ToxiproxyContainer;

/**
 * The toxiproxy driver against a real Toxiproxy server in a container. Needs a Docker engine:
 * without one the class is reported as disabled, never faked.
 */
@Testcontainers(disabledWithoutDocker = true)
class ToxiproxyDriverIT {
    @Container
    static final ToxiproxyContainer TOXIPROXY = new ToxiproxyContainer("ghcr.io/shopify/toxiproxy:2.12.0");

    private static String api;
    private static URL throughProxy;

    @BeforeAll
    static void proxyTheServersOwnApi() throws IOException {
        ToxiproxyClient client = new ToxiproxyClient(TOXIPROXY.getHost(), TOXIPROXY.getControlPort());
        client.createProxy("api", "0.0.0.0:8666", "localhost:8474");
        api = "http://" + TOXIPROXY.getHost() + ":" + TOXIPROXY.getControlPort();
        throughProxy = URI.create("http://" + TOXIPROXY.getHost() + ":" + TOXIPROXY.getMappedPort(8666) + "/version").toURL();
    }

    private static long fetchMillis() throws IOException {
        long t0 = System.nanoTime();
        var conn = throughProxy.openConnection();
        conn.setConnectTimeout(3_000);
        conn.setReadTimeout(3_000);
        try (InputStream in = conn.getInputStream()) {
            in.readAllBytes();
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void latencyToxicDelaysTrafficUntilUndone() throws Exception {
        FaultDriver.Applied applied = new ToxiproxyDriver().apply("tp-1", new ToxiproxyFault(api, "api",
                ToxiproxyFault.Toxic.LATENCY, null, Duration.ofMillis(600), null, null));
        assertThat(fetchMillis()).isGreaterThanOrEqualTo(600);
        assertThat(applied.undo()).contains("removed toxic faultline-tp-1");
        assertThat(new ToxiproxyClient(TOXIPROXY.getHost(), TOXIPROXY.getControlPort()).getProxy("api").toxics().getAll())
                .isEmpty();
    }

    @Test
    void downDisablesTheProxyUntilUndone() throws Exception {
        FaultDriver.Applied applied = new ToxiproxyDriver().apply("tp-2", new ToxiproxyFault(api, "api",
                ToxiproxyFault.Toxic.DOWN, null, null, null, null));
        assertThatThrownBy(ToxiproxyDriverIT::fetchMillis).isInstanceOf(IOException.class);
        applied.undo();
        assertThat(fetchMillis()).isGreaterThanOrEqualTo(0);
    }
}

package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.protocol.Json;
import io.faultline.scenario.CanaryInput;
import io.faultline.scenario.CanaryOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Canaries rendered for a service's own format, and found again in what it writes. */
class CanaryAdapterTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withoutAdaptersTheCanaryIsFaultlinesOwnJson() {
        CanaryAdapter a = new CanaryAdapter("run-1", null, null);
        CanaryAdapter.Rendered r = a.render(7, "k7", T0);
        assertThat(r.key()).isEqualTo("k7");
        JsonNode expected = Json.mapper().valueToTree(Map.of("id", "run-1:7", "run",
                "run-1", "seq", 7, "key", "k7", "sentAt", T0.toString()));
        assertThat(readTree(r.value())).isEqualTo(expected);
        assertThat(a.idOf("k7", r.value(), new RecordHeaders())).isEqualTo("run-1:7");
        assertThat(new CanaryAdapter("run-2", null, null).idOf("k7", r.value(), new RecordHeaders()))
                .as("another run's canary").isNull();
    }

    private static JsonNode readTree(byte[] b) {
        try {
            return Json.mapper().readTree(b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTransformingServiceIsFoundThroughAHeaderOrAJsonPointer() {
        CanaryInput in = new CanaryInput("json", "{id}", "{\"paymentId\": \"{id}\", \"amount\": {seq}}",
                Map.of("x-correlation-id", "{id}"), null);
        CanaryAdapter.Rendered r = new CanaryAdapter("run-1", in, new CanaryOutput("x-correlation-id", null, null, null))
                .render(3, "k3", T0);
        assertThat(r.key()).isEqualTo("run-1:3");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"paymentId\": \"run-1:3\", \"amount\": 3}");
        assertThat(r.headers()).containsOnlyKeys("x-correlation-id");
        // What the payments service writes: a new schema, the id in a header and in the payload.
        byte[] settled = utf8("{\"paymentId\": \"run-1:3\", \"status\": \"SETTLED\"}");
        RecordHeaders h = new RecordHeaders();
        h.add("x-correlation-id", utf8("run-1:3"));
        assertThat(new CanaryAdapter("run-1", in, new CanaryOutput("x-correlation-id", null, null, null))
                .idOf("other-key", settled, h)).isEqualTo("run-1:3");
        assertThat(new CanaryAdapter("run-1", in, new CanaryOutput(null, "/paymentId", null, null))
                .idOf(null, settled, new RecordHeaders())).isEqualTo("run-1:3");
        assertThat(new CanaryAdapter("run-1", in, new CanaryOutput(null, "/missing", null, null))
                .idOf(null, settled, new RecordHeaders())).isNull();
        assertThat(new CanaryAdapter("run-1", in, new CanaryOutput(null, "/paymentId", null, null))
                .idOf(null, utf8("not json"), new RecordHeaders())).isNull();
    }

    @Test
    void aWrappingServiceIsFoundByARegularExpressionOrTheKey() {
        CanaryInput in = new CanaryInput("text", null, "order {id} placed {padding}", null, 64);
        CanaryAdapter a = new CanaryAdapter("run-1", in, new CanaryOutput(null, null, null, "order (\\S+) placed"));
        CanaryAdapter.Rendered r = a.render(12, "k0", T0);
        assertThat(r.value()).hasSize(64);
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).startsWith("order run-1:12 placed xxxx");
        byte[] wrapped = utf8("<envelope at=\"10:00\">order run-1:12 placed xxxx</envelope>");
        assertThat(a.idOf(null, wrapped, new RecordHeaders())).isEqualTo("run-1:12");
        assertThat(new CanaryAdapter("run-1", in, new CanaryOutput(null, null, true, null))
                .idOf("run-1:12", wrapped, new RecordHeaders())).isEqualTo("run-1:12");
        assertThat(new CanaryAdapter("run-1", in, new CanaryOutput(null, null, true, null))
                .idOf("run-10", wrapped, new RecordHeaders())).as("not this run's prefix").isNull();
    }
}

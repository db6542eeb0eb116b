package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanaryCodecTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheIdOfThisRunsCanariesOnly() {
        assertThat(CanaryCodec.id(b("{\"id\":\"r1:7\",\"run\":\"r1\",\"seq\":7,\"nested\":{\"id\":\"x\"}}"), "r1")).isEqualTo("r1:7");
        assertThat(CanaryCodec.id(b("{\"nested\":{\"run\":\"r1\"},\"run\":\"r1\",\"id\":\"r1:8\"}"), "r1")).isEqualTo("r1:8");
        assertThat(CanaryCodec.id(b("{\"id\":\"r2:7\",\"run\":\"r2\"}"), "r1")).isNull();
        assertThat(CanaryCodec.id(b("{\"id\":\"r1:7\"}"), "r1")).isNull();
        assertThat(CanaryCodec.id(b("[1,2]"), "r1")).isNull();
        assertThat(CanaryCodec.id(b("not json"), "r1")).isNull();
        assertThat(CanaryCodec.id(null, "r1")).isNull();
        assertThat(CanaryCodec.id(b("{\"run\":7,\"id\":\"r1:1\"}"), "r1")).isNull();
    }
}

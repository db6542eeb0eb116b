package io.faultline.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.verifier.CanaryLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    @Test
    void readsTheSequenceNumberWithoutTheIdAndAgreesWithTheIdForEverySpelling() {
        for (String id : List.of("r1:0", "r1:7", "r1:123456789012345678", "r1:07", "r1:", "r1:1234567890123456789",
                "r1:12a", "r1:-3", "r2:7", "r1", "x", "r1:7 ", "r1:\u0667")) {
            byte[] value = b("{\"run\":\"r1\",\"id\":\"" + id + "\",\"nested\":{\"id\":\"r1:1\"}}");
            long seq = CanaryCodec.seq(value, "r1", "r1:");
            String read = CanaryCodec.id(value, "r1");
            if (!id.startsWith("r1:")) {
                assertThat(seq).as(id).isEqualTo(CanaryCodec.NOT_OURS);
            } else if (CanaryLog.seqOf("r1:", id) >= 0) {
                assertThat(seq).as(id).isEqualTo(CanaryLog.seqOf("r1:", id));
            } else {
                assertThat(seq).as(id + ": this run's, not a canonical id: read as text").isEqualTo(CanaryCodec.ODD);
                assertThat(read).isEqualTo(id);
            }
        }
        assertThat(CanaryCodec.seq(b("{\"id\":\"r1:7\",\"run\":\"r2\"}"), "r1", "r1:")).isEqualTo(CanaryCodec.NOT_OURS);
        assertThat(CanaryCodec.seq(b("{\"id\":\"r1:7\"}"), "r1", "r1:")).isEqualTo(CanaryCodec.NOT_OURS);
        assertThat(CanaryCodec.seq(b("not json"), "r1", "r1:")).isEqualTo(CanaryCodec.NOT_OURS);
        assertThat(CanaryCodec.seq(null, "r1", "r1:")).isEqualTo(CanaryCodec.NOT_OURS);
    }
}

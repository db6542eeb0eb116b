package io.faultline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class HeaderTextTest {
    private static ConsumerRecord<String, byte[]> record(String processedBy, String inputOffset) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>("out", 0, 0, null, null);
        RecordHeaders h = (RecordHeaders) r.headers();
        if (processedBy != null) {
            h.add("processed-by", processedBy.getBytes(StandardCharsets.UTF_8));
        }
        if (inputOffset != null) {
            h.add("input-offset", inputOffset.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void aRepeatedHeaderIsReadAsTheSameTextAndEveryOtherAsItsOwn() {
        HeaderText.Recent recent = new HeaderText.Recent("processed-by");
        String first = recent.of(record("listener-1", null));
        assertThat(first).isEqualTo("listener-1");
        assertThat(recent.of(record("listener-1", null))).isSameAs(first);
        for (int i = 0; i < 20; i++) {
            assertThat(recent.of(record("listener-" + i, null))).isEqualTo("listener-" + i);
        }
        assertThat(recent.of(record("lïstener-ü", null))).isEqualTo("lïstener-ü");
        assertThat(recent.of(record(null, "7"))).isNull();
    }

    @Test
    void aNumberIsReadFromTheHeadersBytes() {
        assertThat(HeaderText.number(record(null, "1234"), "input-offset")).isEqualTo(1234L);
        assertThat(HeaderText.number(record(null, "-5"), "input-offset")).isEqualTo(-5L);
        assertThat(HeaderText.number(record(null, "12x"), "input-offset")).isNull();
        assertThat(HeaderText.number(record(null, null), "input-offset")).isNull();
    }
}

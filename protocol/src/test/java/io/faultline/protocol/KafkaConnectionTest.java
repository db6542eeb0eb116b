package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {
    @Test
    void aClientWaitsFiveSecondsForABrokerUnlessTheClientSettingsSayOtherwise() {
        assertThat(KafkaConnection.of("k:9092").client("c")).containsEntry("request.timeout.ms", "5000")
                .containsEntry("bootstrap.servers", "k:9092").containsEntry("client.id", "c");
        assertThat(new KafkaConnection("k:9092", Map.of("request.timeout.ms", "45000")).client("c"))
                .containsEntry("request.timeout.ms", "45000");
    }

    @Test
    void itsTextNeverShowsTheSettings() {
        assertThat(new KafkaConnection("k:9092", Map.of("sasl.jaas.config", "secret")).toString())
                .isEqualTo("k:9092 (with 1 client settings)").doesNotContain("secret");
    }
}

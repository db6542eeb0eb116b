package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodInfoTest {
    @Test
    void readsTheDownwardApiLabelsFileAndThePodsNameAndNamespace(@TempDir Path dir) throws Exception {
        Path labels = dir.resolve("labels");
        Files.writeString(labels, "app=\"orders\"\npod-template-hash=\"7c9\"\nteam=\"a \\\"quoted\\\" name\"\n");
        assertThat(PodInfo.labels(labels, Map.of("POD_NAME", "orders-7c9-1", "POD_NAMESPACE", "shop")))
                .containsEntry("app", "orders").containsEntry("pod-template-hash", "7c9")
                .containsEntry("team", "a \"quoted\" name").containsEntry("pod", "orders-7c9-1")
                .containsEntry("namespace", "shop");
        assertThat(PodInfo.labels(null, Map.of())).isEmpty();
    }
}

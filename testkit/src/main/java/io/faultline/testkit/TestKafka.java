package io.faultline.testkit;

import io.faultline.broker.EmbeddedKafka;
import java.nio.file.Files;

/** One real KRaft broker per test JVM, started on first use and stopped when the JVM exits. */
public final class TestKafka {
    private static EmbeddedKafka kafka;

    private TestKafka() {
    }

    public static synchronized String bootstrapServers() throws Exception {
        if (kafka == null) {
            kafka = EmbeddedKafka.start(Files.createTempDirectory("faultline-it-kafka-"));
        }
        return kafka.bootstrapServers();
    }
}

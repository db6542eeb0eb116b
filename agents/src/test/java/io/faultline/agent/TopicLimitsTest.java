package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.MockAdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;

class TopicLimitsTest {
    private static final Topics TOPICS = Topics.defaults();

    @Test
    void aCommandsTopicThatTakesLargerRecordsIsNamedWithItsFix() throws Exception {
        try (MockAdminClient admin = new MockAdminClient(List.of(new Node(0, "localhost", 9092)),
                new Node(0, "localhost", 9092))) {
            admin.createTopics(List.of(
                    new NewTopic(TOPICS.commands(), 1, (short) 1).configs(Map.of("max.message.bytes", "10485760")),
                    new NewTopic(TOPICS.halt(), 1, (short) 1)
                            .configs(Map.of("max.message.bytes", Integer.toString(Topics.MAX_COMMAND_BYTES)))))
                    .all().get();
            assertThat(TopicLimits.check(admin, TOPICS, Duration.ofSeconds(5))).singleElement().asString()
                    .startsWith("topic faultline.commands takes records of up to 10485760 bytes (max.message.bytes)")
                    .endsWith("set max.message.bytes=65536 on faultline.commands (faultline init creates it so)");
        }
    }

    @Test
    void withinTheBoundOrUnreadableIsNoProblem() {
        assertThat(TopicLimits.problem("t", "65536")).isNull();
        assertThat(TopicLimits.problem("t", "1024")).isNull();
        assertThat(TopicLimits.problem("t", "lots")).isNull();
        assertThat(TopicLimits.problem("t", "1048588")).contains("1048588 bytes");
    }
}

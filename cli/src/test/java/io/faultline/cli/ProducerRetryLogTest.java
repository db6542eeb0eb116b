package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.faultline.protocol.ProducerRetries;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The producer's retries by error, read from its own log lines as Kafka's Sender writes them. */
class ProducerRetryLogTest {
    private static final String SENDER = "org.apache.kafka.clients.producer.internals.Sender";

    private static LoggingEvent event(String message, Object... args) {
        Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(SENDER);
        return new LoggingEvent(SENDER, logger, Level.WARN, message, null, args);
    }

    @Test
    void countsEachRetriedRequestUnderItsClientAndErrorAndNothingElse() {
        String client = "retry-test-" + System.nanoTime();
        Map<String, Long> before = ProducerRetries.of(client);
        ProducerRetryLog log = new ProducerRetryLog();
        log.start();
        String retried = "[Producer clientId=" + client + "] Got error produce response with correlation id {} on "
                + "topic-partition {}, retrying ({} attempts left). Error: {}";
        log.doAppend(event(retried, 150, "narrow-0", 2147483646, "NOT_ENOUGH_REPLICAS"));
        log.doAppend(event(retried, 151, "narrow-0", 2147483645, "NOT_ENOUGH_REPLICAS"));
        log.doAppend(event(retried, 152, "orders-1", 5, "NOT_LEADER_OR_FOLLOWER"));
        // Not a retry: the metadata line beside it, and a line of another shape.
        log.doAppend(event("[Producer clientId=" + client + "] Received invalid metadata error in produce request on "
                + "partition orders-1 due to org.apache.kafka.common.errors." + "NotLeaderOrFollowerException: For requests"));
        log.doAppend(event("[Producer clientId=" + client + "] Got error produce response ... Error: <script>"));
        assertThat(ProducerRetries.since(before, ProducerRetries.of(client)))
                .containsExactly(Map.entry("NOT_ENOUGH_REPLICAS", 2L), Map.entry("NOT_LEADER_OR_FOLLOWER", 1L));
    }

    @Test
    void aLongHostileLineIsIgnoredQuickly() {
        String client = "hostile-" + System.nanoTime();
        ProducerRetryLog log = new ProducerRetryLog();
        log.start();
        log.doAppend(event("[Producer clientId=" + client + "] Got error produce response " + "x, retrying (".repeat(5000)));
        assertThat(ProducerRetries.of(client)).isEmpty();
    }
}

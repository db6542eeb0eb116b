package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.faultline.protocol.ProducerRetries;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logging set up in code: found by logback's service loader, the same levels and appenders the XML gave. */
class LogConfigTest {
    private static final String SENDER = "org.apache.kafka.clients.producer.internals.Sender";

    @Test
    void logbackFindsItAndTheProcessIsConfiguredByIt() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()).collect(Collectors.toList()))
                .contains(LogConfig.class.getName());
        LoggerContext running = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(running.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
                .isInstanceOf(ConsoleAppender.class);
    }

    @Test
    void stderrAtInfoKafkaQuietAndTheProducersRetriesCounted() {
        LoggerContext context = new LoggerContext();
        LogConfig config = new LogConfig();
        config.setContext(context);
        assertThat(config.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        ConsoleAppender<ILoggingEvent> stderr =
                (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(stderr.isStarted()).isTrue();
        assertThat(context.getLogger("io.faultline.agent.Agent").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.apache.kafka.clients.consumer.KafkaConsumer").getEffectiveLevel())
                .isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.apache.kafka.clients.NetworkClient").getEffectiveLevel()).isEqualTo(Level.ERROR);
        assertThat(context.getLogger("state.change.logger").getEffectiveLevel()).isEqualTo(Level.WARN);

        String client = "log-config-" + System.nanoTime();
        Logger sender = context.getLogger(SENDER);
        sender.callAppenders(new LoggingEvent(SENDER, sender, Level.WARN, "[Producer clientId=" + client
                + "] Got error produce response with correlation id 7 on topic-partition orders-0, retrying "
                + "(3 attempts left). Error: NOT_ENOUGH_REPLICAS", null, null));
        assertThat(ProducerRetries.of(client)).containsExactly(Map.entry("NOT_ENOUGH_REPLICAS", 1L));
    }

    @Test
    void theLevelsComeFromTheCommandLine() {
        System.setProperty("faultline.log.level", "WARN");
        System.setProperty("faultline.kafka.partition.log.level", "INFO");
        try {
            LoggerContext context = new LoggerContext();
            new LogConfig().configure(context);
            assertThat(context.getLogger("io.faultline.agent.Agent").getEffectiveLevel()).isEqualTo(Level.WARN);
            assertThat(context.getLogger("state.change.logger").getEffectiveLevel()).isEqualTo(Level.INFO);
        } finally {
            System.clearProperty("faultline.log.level");
            System.clearProperty("faultline.kafka.partition.log.level");
        }
    }

    @Test
    void aFileGivenOnTheCommandLineIsLeftToLogback() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "custom.xml");
        try {
            LoggerContext context = new LoggerContext();
            assertThat(new LogConfig().configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }
}

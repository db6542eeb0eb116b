package io.faultline.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Faultline's logging, set up in code and found by logback's service loader, so that no XML
 * parser is loaded (about 300 classes an agent would otherwise hold for weeks). Logs go to
 * standard error, so that standard output stays for verdicts and progress. A file given with
 * {@code -Dlogback.configurationFile=FILE} is used instead, as logback reads it.
 *
 * <p>{@code -Dfaultline.log.level} sets the root level (default INFO) and
 * {@code -Dfaultline.kafka.partition.log.level} a lab broker's partition log (default WARN).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfig extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("faultline.log.level", Level.INFO));
        root.addAppender(stderr);

        context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        // The producer says which error it retries only here: counted for the verdict (canary.sendRetries).
        ProducerRetryLog retries = new ProducerRetryLog();
        retries.setContext(context);
        retries.setName("PRODUCER_RETRIES");
        retries.start();
        Logger sender = context.getLogger("org.apache.kafka.clients.producer.internals.Sender");
        sender.setLevel(Level.WARN);
        sender.addAppender(retries);
        // Connection retries are expected while brokers start or while a fault cuts them off.
        context.getLogger("org.apache.kafka.clients.NetworkClient").setLevel(Level.ERROR);
        context.getLogger("kafka").setLevel(Level.WARN);
        // A lab broker says when it became a partition's leader, at what epoch: truth to check a verdict against.
        context.getLogger("state.change.logger").setLevel(level("faultline.kafka.partition.log.level", Level.WARN));
        context.getLogger("kafka.cluster.Partition").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Level level(String property, Level otherwise) {
        return Level.toLevel(System.getProperty(property), otherwise);
    }
}

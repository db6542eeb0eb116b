package io.faultline.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.faultline.protocol.ProducerRetries;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Kafka's producer log for the requests it retries and by which error, the only place the
 * Java client says it ({@code Sender}: "[Producer clientId=ID] Got error produce response with
 * correlation id N on topic-partition TP, retrying (K attempts left). Error: NAME"), and counts them
 * in {@link ProducerRetries}. Attached to that logger by {@link LogConfig}; everything else it is
 * given is ignored.
 */
public final class ProducerRetryLog extends AppenderBase<ILoggingEvent> {
    /** Bounded, anchored pieces only: the message is a library's, its length is what it is. */
    private static final Pattern RETRY = Pattern.compile(
            "^\\[Producer clientId=([^\\]]{1,200})] Got error produce response .{0,400}?, retrying \\(.{0,40}?\\)\\. "
                    + "Error: ([A-Z_]{1,64})$");

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message == null || message.length() > 1000) {
            return;
        }
        Matcher m = RETRY.matcher(message);
        if (m.matches()) {
            ProducerRetries.retried(m.group(1), m.group(2));
        }
    }
}

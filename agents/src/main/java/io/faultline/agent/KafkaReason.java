package io.faultline.agent;

import org.apache.kafka.common.errors.TimeoutException;

/** Why the agent could not go on with Kafka, in words a person reads: no Java type names. */
final class KafkaReason {
    private KafkaReason() {
    }

    /** The most specific message in {@code e}'s causes, without Java type names. */
    static String of(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        String words = message == null ? "no detail"
                : message.replaceAll("\\b(?:[a-z]+\\.)+[A-Z][A-Za-z]*(?:Exception|Error): ?", "");
        return e instanceof TimeoutException || e.getCause() instanceof TimeoutException
                ? "Kafka did not answer in time (is the broker reachable at the address given?): " + words : words;
    }
}

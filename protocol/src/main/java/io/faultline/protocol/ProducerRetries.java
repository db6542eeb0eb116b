package io.faultline.protocol;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Produce requests Kafka's Java producer retried, by client id and Kafka error name, as the client
 * itself reports them: it says which error it retries only in its log ({@code Sender}: "Got error
 * produce response ... retrying ... Error: NOT_ENOUGH_REPLICAS"), and a send retried until its
 * delivery timeout fails as a timeout, whatever the error was. The command line's logging feeds
 * {@link #retried}; a run takes the difference of two {@link #of} readings, so runs one after the
 * other in one process each count their own. With that logger silenced nothing is counted.
 */
public final class ProducerRetries {
    /** At most this many client ids and error names are kept: what a log line names is bounded. */
    static final int MAX_KEYS = 256;
    private static final Map<String, Map<String, LongAdder>> COUNTS = new ConcurrentHashMap<>();

    private ProducerRetries() {
    }

    /** The producer {@code clientId} retried a request that failed with {@code error}. */
    public static void retried(String clientId, String error) {
        if (COUNTS.size() >= MAX_KEYS && !COUNTS.containsKey(clientId)) {
            return;
        }
        Map<String, LongAdder> byError = COUNTS.computeIfAbsent(clientId, k -> new ConcurrentHashMap<>());
        if (byError.size() >= MAX_KEYS && !byError.containsKey(error)) {
            return;
        }
        byError.computeIfAbsent(error, k -> new LongAdder()).increment();
    }

    /** The counts of {@code clientId} so far, by error name. */
    public static Map<String, Long> of(String clientId) {
        Map<String, Long> out = new TreeMap<>();
        COUNTS.getOrDefault(clientId, Map.of()).forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** {@code now} less {@code before}, by error name, without the errors that did not grow. */
    public static Map<String, Long> since(Map<String, Long> before, Map<String, Long> now) {
        Map<String, Long> out = new TreeMap<>();
        now.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}

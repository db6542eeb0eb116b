package io.faultline.workload;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.protocol.Errors;

/** Canary sends that failed for good, by Kafka error name (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...). */
final class SendErrors {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts {@code e} under its Kafka error name; called from the producer's callback thread. */
    void add(Exception e) {
        counts.computeIfAbsent(Errors.forException(e).name(), k -> new LongAdder()).increment();
    }

    /** The counts so far, by name. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}

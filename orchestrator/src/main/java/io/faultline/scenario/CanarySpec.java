package io.faultline.scenario;

import io.faultline.protocol.Checks;
import io.faultline.protocol.Durations;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;

/**
 * Sequenced canary events produced at a steady rate into {@code inputTopic} and observed on
 * {@code outputTopic} (read_committed).
 *
 * @param rate             events per second
 * @param partitions       partitions of the topics if Faultline creates them
 * @param keys             distinct record keys the events cycle through
 * @param preflightTimeout how long preflight waits for the first canary to come out the other end
 * @param group            the consumer group of the system under test reading {@code inputTopic};
 *                         its committed offsets prove an unobserved event LOST rather than UNSEEN
 *                         (default: the group of a {@code partition-owner} target, if any)
 * @param input            what a canary looks like going in (default: Faultline's own JSON canary)
 * @param output           where its id is found coming out (default: Faultline's own JSON canary, id at /id)
 * @param deliveryTimeout  how long the canary producer tries a send before it gives it up
 *                         ({@code delivery.timeout.ms}, default 30 s): set it to the service's own
 *                         producer's to see which error a fault makes its writes fail with
 */
public record CanarySpec(String inputTopic, String outputTopic, Double rate, Integer partitions, Integer keys,
                         Duration preflightTimeout, String group, CanaryInput input, CanaryOutput output,
                         Duration deliveryTimeout) {
    /** The canary producer's {@code delivery.timeout.ms} unless the scenario sets its own. */
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The highest rate a scenario may ask for: what a two-core host held for five minutes with
     * nothing lost and the p99 under 500 ms (15,000/s; 20,000/s fell behind and broke it).
     */
    public static final int MAX_RATE = 15_000;

    public CanarySpec {
        Checks.required("inputTopic", inputTopic);
        Checks.required("outputTopic", outputTopic);
        if (inputTopic.equals(outputTopic)) {
            throw new InvalidFieldException("outputTopic", "must differ from inputTopic");
        }
        rate = rate == null ? 50.0 : rate;
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new InvalidFieldException("rate", "must be between 0 and " + MAX_RATE + " events per second, got " + rate);
        }
        partitions = partitions == null ? 1 : partitions;
        if (partitions < 1) {
            throw new InvalidFieldException("partitions", "must be at least 1");
        }
        keys = keys == null ? 16 : keys;
        if (keys < 1) {
            throw new InvalidFieldException("keys", "must be at least 1");
        }
        preflightTimeout = preflightTimeout == null ? Duration.ofSeconds(60)
                : Checks.positive("preflightTimeout", preflightTimeout);
        deliveryTimeout = deliveryTimeout == null ? DEFAULT_DELIVERY_TIMEOUT
                : Checks.positive("deliveryTimeout", deliveryTimeout);
        if (deliveryTimeout.compareTo(Duration.ofSeconds(1)) < 0 || deliveryTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new InvalidFieldException("deliveryTimeout", "must be from 1s to 10m, got "
                    + Durations.format(deliveryTimeout));
        }
        input = input == null ? CanaryInput.defaults() : input;
        if (input.value() != null && output == null) {
            throw new InvalidFieldException("output", "a canary with its own value template needs output: say where the"
                    + " canary id is in what the service writes (header, jsonPointer, key: true or regex)");
        }
    }

    public CanarySpec(String inputTopic, String outputTopic, Double rate, Integer partitions, Integer keys,
                      Duration preflightTimeout, String group, CanaryInput input, CanaryOutput output) {
        this(inputTopic, outputTopic, rate, partitions, keys, preflightTimeout, group, input, output, null);
    }

    public Duration interval() {
        return Duration.ofNanos((long) (1_000_000_000L / rate));
    }
}

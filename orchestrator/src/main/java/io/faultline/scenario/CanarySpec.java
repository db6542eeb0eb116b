package io.faultline.scenario;

import io.faultline.protocol.Checks;
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
 */
public record CanarySpec(String inputTopic, String outputTopic, Double rate, Integer partitions, Integer keys,
                         Duration preflightTimeout, String group, CanaryInput input, CanaryOutput output) {
    public CanarySpec {
        Checks.required("inputTopic", inputTopic);
        Checks.required("outputTopic", outputTopic);
        if (inputTopic.equals(outputTopic)) {
            throw new InvalidFieldException("outputTopic", "must differ from inputTopic");
        }
        rate = rate == null ? 50.0 : rate;
        if (!(rate > 0 && rate <= 10_000)) {
            throw new InvalidFieldException("rate", "must be between 0 and 10000 events per second, got " + rate);
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
        input = input == null ? CanaryInput.defaults() : input;
        if (input.value() != null && output == null) {
            throw new InvalidFieldException("output", "a canary with its own value template needs output: say where the"
                    + " canary id is in what the service writes (header, jsonPointer, key: true or regex)");
        }
    }

    public Duration interval() {
        return Duration.ofNanos((long) (1_000_000_000L / rate));
    }
}

package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * Forces rebalances on a consumer group: a probe member joins the group (subscribed to
 * {@code topic}, with the protocol the group runs: classic or KIP-848's consumer protocol), takes
 * its share of the partitions, and leaves again, every {@code every}, until healed. The probe
 * commits nothing, so the group's members read on from where they were. Undo makes the probe
 * leave for good.
 *
 * @param group the consumer group, which must exist
 * @param topic the topic the probe subscribes to (one the group reads)
 * @param every how often the probe joins and leaves (at least 1 s; default 10 s)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KafkaGroupChurnFault(String group, String topic, Duration every) implements FaultSpec {
    public static final String TYPE = "kafka.group.churn";
    public static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);

    public KafkaGroupChurnFault {
        Checks.kafkaName("group", group);
        Checks.topic("topic", topic);
        if (every != null) {
            Checks.positive("every", every);
            if (every.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new InvalidFieldException("every", "at least 1s, got " + Durations.format(every));
            }
        }
    }

    /** How often the probe joins and leaves. */
    @JsonIgnore
    public Duration interval() {
        return every != null ? every : DEFAULT_EVERY;
    }

    @Override
    public String type() {
        return TYPE;
    }
}

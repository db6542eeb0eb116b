package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts client quotas on a client id, a user, or the pair, as {@code kafka-configs --alter
 * --entity-type clients|users} would. Undo gives each quota key the value it had before (removing
 * the ones that had none), not merely deleting them.
 *
 * @param clientId          the client id the quota applies to; absent when only {@code user} is given
 * @param user              the user principal name the quota applies to; absent when only {@code clientId} is given
 * @param producerByteRate  bytes per second a producer may send (Kafka's {@code producer_byte_rate})
 * @param consumerByteRate  bytes per second a consumer may fetch (Kafka's {@code consumer_byte_rate})
 * @param requestPercentage share of a broker's request threads, in percent (Kafka's {@code request_percentage})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KafkaQuotaFault(String clientId, String user, Long producerByteRate, Long consumerByteRate,
                              Double requestPercentage) implements FaultSpec {
    public static final String TYPE = "kafka.quota";

    public KafkaQuotaFault {
        if (clientId == null && user == null) {
            throw new InvalidFieldException("clientId", "give clientId, user or both: whom the quota applies to");
        }
        if (clientId != null) {
            Checks.kafkaName("clientId", clientId);
        }
        if (user != null) {
            Checks.kafkaName("user", user);
        }
        if (producerByteRate == null && consumerByteRate == null && requestPercentage == null) {
            throw new InvalidFieldException("producerByteRate",
                    "give at least one of producerByteRate, consumerByteRate, requestPercentage");
        }
        positive("producerByteRate", producerByteRate);
        positive("consumerByteRate", consumerByteRate);
        if (requestPercentage != null && !(requestPercentage > 0 && requestPercentage <= 10_000)) {
            throw new InvalidFieldException("requestPercentage", "must be above 0 and at most 10000, got "
                    + requestPercentage);
        }
    }

    private static void positive(String field, Long rate) {
        if (rate != null && rate <= 0) {
            throw new InvalidFieldException(field, "must be a positive number of bytes per second, got " + rate);
        }
    }

    /** The quota keys and values, as Kafka names them. */
    public Map<String, Double> quotas() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (producerByteRate != null) {
            out.put("producer_byte_rate", producerByteRate.doubleValue());
        }
        if (consumerByteRate != null) {
            out.put("consumer_byte_rate", consumerByteRate.doubleValue());
        }
        if (requestPercentage != null) {
            out.put("request_percentage", requestPercentage);
        }
        return out;
    }

    /** Whom it applies to, as Kafka's entity: entity type ({@code client-id}, {@code user}) to name. */
    public Map<String, String> entity() {
        Map<String, String> out = new LinkedHashMap<>();
        if (user != null) {
            out.put("user", user);
        }
        if (clientId != null) {
            out.put("client-id", clientId);
        }
        return out;
    }

    @Override
    public String type() {
        return TYPE;
    }
}

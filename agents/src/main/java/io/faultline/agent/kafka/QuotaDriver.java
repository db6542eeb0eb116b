package io.faultline.agent.kafka;

import io.faultline.agent.driver.FaultException;
import io.faultline.agent.journal.PriorStore;
import io.faultline.protocol.KafkaQuotaFault;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;

/**
 * Executes {@code kafka.quota}: sets client quotas on the entity (client id, user or both) with
 * {@code alterClientQuotas}, as {@code kafka-configs --alter --entity-type clients} does; undo
 * gives each key it set the value the entity had, and removes the keys it had none for.
 */
public final class QuotaDriver extends AdminFaultDriver<KafkaQuotaFault, QuotaDriver.Before> {
    /**
     * The entity's quotas before the fault, for the keys the fault sets.
     *
     * @param entity entity type ({@code user}, {@code client-id}) to name
     * @param values the keys that had a value, with it
     * @param unset  the keys that had none
     */
    public record Before(Map<String, String> entity, Map<String, Double> values, List<String> unset) {
    }

    public QuotaDriver(Admin admin, Path stateDir) {
        super(admin, new PriorStore<>(stateDir.resolve("kafka-undo").resolve("quota"), Before.class));
    }

    @Override
    public Class<KafkaQuotaFault> faultClass() {
        return KafkaQuotaFault.class;
    }

    @Override
    public String faultType() {
        return KafkaQuotaFault.TYPE;
    }

    @Override
    Before read(KafkaQuotaFault fault, AdminCalls calls) throws FaultException {
        Map<String, String> entity = fault.entity();
        List<ClientQuotaFilterComponent> exact = new ArrayList<>();
        entity.forEach((type, name) -> exact.add(ClientQuotaFilterComponent.ofEntity(type, name)));
        Map<ClientQuotaEntity, Map<String, Double>> found = calls.get(
                admin.describeClientQuotas(ClientQuotaFilter.containsOnly(exact)).entities(),
                "reading the quotas of " + shown(entity), "DescribeConfigs on CLUSTER");
        Map<String, Double> now = found.getOrDefault(new ClientQuotaEntity(entity), Map.of());
        Map<String, Double> values = new TreeMap<>();
        List<String> unset = new ArrayList<>();
        for (String key : fault.quotas().keySet()) {
            if (now.containsKey(key)) {
                values.put(key, now.get(key));
            } else {
                unset.add(key);
            }
        }
        return new Before(entity, values, unset);
    }

    @Override
    String change(KafkaQuotaFault fault, Before prior, AdminCalls calls) throws FaultException {
        alter(prior.entity(), fault.quotas(), calls);
        return "quotas of " + shown(prior.entity()) + ": " + fault.quotas() + " (before: " + before(prior) + ")";
    }

    @Override
    String restore(Before prior, AdminCalls calls) throws FaultException {
        Map<String, Double> back = new LinkedHashMap<>(prior.values());
        prior.unset().forEach(k -> back.put(k, null));
        alter(prior.entity(), back, calls);
        return "quotas of " + shown(prior.entity()) + " back to " + before(prior);
    }

    @Override
    String describe(KafkaQuotaFault fault, Before prior) {
        return "would set the quotas of " + shown(prior.entity()) + " to " + fault.quotas() + " (now: "
                + before(prior) + ")";
    }

    private static String before(Before b) {
        List<String> parts = new ArrayList<>();
        b.values().forEach((k, v) -> parts.add(k + "=" + v));
        b.unset().forEach(k -> parts.add(k + " unset"));
        return String.join(", ", parts);
    }

    private static String shown(Map<String, String> entity) {
        List<String> parts = new ArrayList<>();
        entity.forEach((type, name) -> parts.add(type + " '" + name + "'"));
        return String.join(" and ", parts);
    }

    /** Sets each key to its value; a null value removes the key. */
    private void alter(Map<String, String> entity, Map<String, Double> quotas, AdminCalls calls) throws FaultException {
        List<ClientQuotaAlteration.Op> ops = new ArrayList<>();
        quotas.forEach((k, v) -> ops.add(new ClientQuotaAlteration.Op(k, v)));
        calls.get(admin.alterClientQuotas(List.of(new ClientQuotaAlteration(new ClientQuotaEntity(entity), ops))).all(),
                "altering the quotas of " + shown(entity), "AlterConfigs on CLUSTER");
        // The controller has them; wait until a broker answers with them too, so "applied" means in force.
        calls.await(() -> {
            Map<String, Double> now = quotasNow(entity);
            return now != null && quotas.entrySet().stream()
                    .allMatch(q -> Objects.equals(now.get(q.getKey()), q.getValue()));
        }, "the new quotas of " + shown(entity));
    }

    /** The entity's quotas as a broker answers now; null when none answers (the caller polls again). */
    private Map<String, Double> quotasNow(Map<String, String> entity) {
        List<ClientQuotaFilterComponent> exact = new ArrayList<>();
        entity.forEach((type, name) -> exact.add(ClientQuotaFilterComponent.ofEntity(type, name)));
        try {
            return admin.describeClientQuotas(ClientQuotaFilter.containsOnly(exact)).entities().get()
                    .getOrDefault(new ClientQuotaEntity(entity), Map.of());
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}

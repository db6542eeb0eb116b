package io.faultline.agent.policy;

import io.faultline.protocol.Checks;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.InvalidFieldException;
import io.faultline.protocol.KafkaGroupChurnFault;
import io.faultline.protocol.KafkaLeaderMoveFault;
import io.faultline.protocol.KafkaMinIsrFault;
import io.faultline.protocol.KafkaQuotaFault;
import java.util.List;

/**
 * What an agent's Kafka faults may touch ({@code kafka:} in the policy file). Nothing is allowed
 * unless named: a Kafka fault changes the shared cluster, so an agent with the Admin role and no
 * scope refuses every one of them.
 *
 * @param topics    globs of the topics whose leaders and {@code min.insync.replicas} may be changed
 * @param clientIds globs of the client ids that may be given quotas
 * @param users     globs of the user principals that may be given quotas
 * @param groups    globs of the consumer groups a probe member may join and leave
 * @param brokers   the broker ids that may be given leadership; empty means any replica
 */
public record KafkaScope(List<String> topics, List<String> clientIds, List<String> users, List<Integer> brokers,
                         List<String> groups) {
    public KafkaScope {
        topics = globs("kafka.topics", topics);
        clientIds = globs("kafka.clientIds", clientIds);
        users = globs("kafka.users", users);
        brokers = Checks.copy(brokers);
        groups = globs("kafka.groups", groups);
    }

    /** Nothing allowed. */
    public static KafkaScope none() {
        return new KafkaScope(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    private static List<String> globs(String field, List<String> globs) {
        List<String> out = Checks.copy(globs);
        for (int i = 0; i < out.size(); i++) {
            try {
                Glob.of(out.get(i));
            } catch (RuntimeException e) {
                throw new InvalidFieldException(field + "[" + i + "]", "'" + out.get(i) + "' is not a valid glob: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return out;
    }

    /** Null when {@code fault} (a Kafka fault or any other) stays inside this scope; else the rule it breaks. */
    String violation(FaultSpec fault) {
        if (fault instanceof KafkaLeaderMoveFault m) {
            String bad = named("topic", m.topic(), topics, "kafka.topics");
            if (bad != null || brokers.isEmpty()) {
                return bad;
            }
            if (m.to() == null) {
                return "the fault names no broker to lead (to), but only brokers " + brokers
                        + " may be given leadership (kafka.brokers)";
            }
            return brokers.contains(m.to()) ? null
                    : "broker " + m.to() + " is not among the brokers " + brokers + " that may be given leadership";
        }
        if (fault instanceof KafkaMinIsrFault i) {
            return named("topic", i.topic(), topics, "kafka.topics");
        }
        if (fault instanceof KafkaGroupChurnFault c) {
            String bad = named("group", c.group(), groups, "kafka.groups");
            return bad != null ? bad : named("topic", c.topic(), topics, "kafka.topics");
        }
        if (fault instanceof KafkaQuotaFault q) {
            String bad = q.clientId() == null ? null : named("client id", q.clientId(), clientIds, "kafka.clientIds");
            return bad != null || q.user() == null ? bad : named("user", q.user(), users, "kafka.users");
        }
        return null;
    }

    private static String named(String what, String name, List<String> globs, String key) {
        for (String g : globs) {
            if (Glob.of(g).matches(name)) {
                return null;
            }
        }
        return globs.isEmpty() ? what + " " + name + ": this agent's policy allows no Kafka " + what + " (" + key
                + " is empty or absent)"
                : what + " " + name + " matches none of the allowed " + key + " " + globs;
    }
}

package io.faultline.engine;

import io.faultline.kafka.Clients;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Topics;
import io.faultline.scenario.CanarySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Admin operations the orchestrator needs (reachability, topic creation); its clients come from {@link Clients}. */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** The producer every Faultline component writes with: acks=all, no lingering, string keys, byte values. */
    public static KafkaProducer<String, byte[]> producer(String bootstrapServers, String clientId) {
        return producer(KafkaConnection.of(bootstrapServers), clientId);
    }

    /** As {@link #producer(String, String)}, with the connection's client settings. */
    public static KafkaProducer<String, byte[]> producer(KafkaConnection kafka, String clientId) {
        return Clients.producer(kafka, clientId);
    }

    public static Admin admin(String bootstrapServers) {
        return admin(KafkaConnection.of(bootstrapServers));
    }

    /** An admin client with the connection's client settings. */
    public static Admin admin(KafkaConnection kafka) {
        return Clients.admin(kafka);
    }

    /** Fails with a readable message when no broker answers within {@code timeout}. */
    public static void checkReachable(Admin admin, String bootstrapServers, Duration timeout) throws InfrastructureException {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            String refused = refusal(e.getCause());
            throw new InfrastructureException(refused != null ? "Kafka at " + bootstrapServers + " " + refused
                    : "Kafka unreachable at " + bootstrapServers + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new InfrastructureException("Kafka unreachable at " + bootstrapServers + " (no answer within "
                    + timeout.toSeconds() + " s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while contacting Kafka");
        }
    }

    /**
     * What a broker's refusal to let a client in means, in words: a certificate not trusted, a
     * client certificate missing, a wrong password; null when {@code e} is no such refusal.
     */
    public static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SaslAuthenticationException) {
                return "refused the login: authentication failed (check the user and password in sasl.jaas.config, and "
                        + "sasl.mechanism): " + t.getMessage();
            }
            if (t instanceof SslAuthenticationException) {
                String all = chain(t);
                return all.contains("PKIX") || all.contains("unable to find valid certification path")
                        || all.contains("certificate_unknown") && !all.contains("bad_certificate")
                        ? "could not be reached over TLS: its certificate is not trusted (ssl.truststore.location "
                                + "must hold the CA that signed it)"
                        : all.contains("No subject alternative") || all.contains("doesn't match")
                        ? "could not be reached over TLS: its certificate does not name this address (subject "
                                + "alternative names)"
                        : "could not be reached over TLS: the handshake failed (a client certificate it requires, "
                                + "or a protocol it does not speak): " + t.getMessage();
            }
            if (t instanceof AuthenticationException) {
                return "refused the login: " + t.getMessage();
            }
        }
        return null;
    }

    /**
     * When {@code e} is the broker's refusal of {@code operation} on {@code topic} (an ACL
     * missing), the sentence that says so; null otherwise.
     */
    public static String denied(Throwable e, String operation, String topic) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TopicAuthorizationException
                    || t instanceof GroupAuthorizationException
                    || t instanceof ClusterAuthorizationException) {
                return "this principal is not allowed to " + operation.toLowerCase(Locale.ROOT) + " topic "
                        + topic + " (ACL operation " + operation.toUpperCase(Locale.ROOT) + " on TOPIC "
                        + topic + "; the ACLs each role needs are in docs/security.md)";
            }
        }
        return null;
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }

    /** The canary's input and output topics, created when missing (as a run does; {@code plan --canary} too). */
    public static void ensureCanaryTopics(CanarySpec canary, Admin admin) throws InfrastructureException {
        if (canary == null) {
            return;
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(canary.inputTopic(), canary.partitions());
        topics.put(canary.outputTopic(), canary.partitions());
        ensureTopics(admin, topics);
    }

    /** Creates the topics that do not exist yet, with the given partition counts and the broker's default replication. */
    public static void ensureTopics(Admin admin, Map<String, Integer> partitions) throws InfrastructureException {
        List<NewTopic> topics = new ArrayList<>();
        partitions.forEach((name, n) -> topics.add(new NewTopic(name, Optional.of(n), Optional.empty())));
        create(admin, topics);
    }

    /** Faultline's own topics: commands, telemetry, verdicts, and the compacted halt topic. */
    /** Creates Faultline's topics that do not exist yet, as {@code faultline init} does ({@link FaultlineTopics}). */
    public static void ensureFaultlineTopics(Admin admin, Topics t) throws InfrastructureException {
        FaultlineTopics.ensure(admin, FaultlineTopics.specs(t, FaultlineTopics.brokers(admin)));
    }

    private static void create(Admin admin, List<NewTopic> topics) throws InfrastructureException {
        var result = admin.createTopics(topics);
        for (var e : result.values().entrySet()) {
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new InfrastructureException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage());
                }
            } catch (TimeoutException ex) {
                throw new InfrastructureException("timed out creating topic " + e.getKey());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new InfrastructureException("interrupted while creating topics");
            }
        }
    }
}

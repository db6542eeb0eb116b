package io.faultline.engine;

import io.faultline.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Faultline's own topics and the settings they are created with: one partition each (commands
 * and halts are few; telemetry and verdicts are read in order), replication from the cluster's
 * size (3 where there are three brokers, with {@code min.insync.replicas} one less), the halt
 * topic compacted, commands kept a day, telemetry a week, verdicts a year (they are the run
 * history). {@code faultline init} creates them; runs and halts create what is missing the same way.
 */
public final class FaultlineTopics {
    static final Duration COMMANDS_RETENTION = Duration.ofDays(1);
    static final Duration TELEMETRY_RETENTION = Duration.ofDays(7);
    static final Duration VERDICTS_RETENTION = Duration.ofDays(365);

    private FaultlineTopics() {
    }

    /** One topic as created: its name, partitions, replication factor and settings. */
    public record Spec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        NewTopic newTopic() {
            return new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor)).configs(configs);
        }
    }

    /** What became of one topic: {@code created}, or {@code exists} with what it has. */
    public record Outcome(Spec spec, boolean created, int partitions, int replicationFactor, List<String> problems) {
    }

    /** The topics for a cluster of {@code brokers} brokers. */
    public static List<Spec> specs(Topics t, int brokers) {
        short rf = (short) Math.max(1, Math.min(3, brokers));
        String minIsr = Integer.toString(Math.max(1, rf - 1));
        String max = Integer.toString(Topics.MAX_COMMAND_BYTES);
        List<Spec> out = new ArrayList<>();
        out.add(new Spec(t.commands(), 1, rf, configs(minIsr, "retention.ms", ms(COMMANDS_RETENTION),
                "max.message.bytes", max)));
        out.add(new Spec(t.telemetry(), 1, rf, configs(minIsr, "retention.ms", ms(TELEMETRY_RETENTION))));
        out.add(new Spec(t.verdicts(), 1, rf, configs(minIsr, "retention.ms", ms(VERDICTS_RETENTION))));
        out.add(new Spec(t.halt(), 1, rf, configs(minIsr, "cleanup.policy", "compact", "max.message.bytes", max)));
        return out;
    }

    private static String ms(Duration d) {
        return Long.toString(d.toMillis());
    }

    private static Map<String, String> configs(String minIsr, String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        m.put("min.insync.replicas", minIsr);
        return m;
    }

    /**
     * Creates every topic of {@code specs} that does not exist and describes the others; never
     * changes an existing topic, but names what differs where it matters (a halt topic that is not
     * compacted keeps every halt and can lose none, but grows; one with several partitions
     * reorders halts).
     */
    public static List<Outcome> ensure(Admin admin, List<Spec> specs) throws InfrastructureException {
        // Describe first: a principal allowed to use a topic but not to create topics (an operator
        // who may only write halts) must not be asked for CREATE on a topic that exists.
        Map<String, TopicDescription> described = describeExisting(admin, specs.stream().map(Spec::name).toList());
        List<Spec> missing = specs.stream().filter(s -> !described.containsKey(s.name())).toList();
        Map<String, Outcome> created = new HashMap<>();
        if (!missing.isEmpty()) {
            var futures = admin.createTopics(missing.stream().map(Spec::newTopic).toList()).values();
            for (Spec s : missing) {
                try {
                    futures.get(s.name()).get(30, TimeUnit.SECONDS);
                    created.put(s.name(), new Outcome(s, true, s.partitions(), s.replicationFactor(), List.of()));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        created.put(s.name(), new Outcome(s, false, s.partitions(), 0, List.of()));
                    } else if (e.getCause() instanceof TopicAuthorizationException
                            || e.getCause() instanceof ClusterAuthorizationException) {
                        throw new InfrastructureException("topic " + s.name() + " does not exist and this principal is "
                                + "not allowed to create it (ACL operation CREATE on the cluster or the topic): have "
                                + "'faultline init' run once by a principal that may");
                    } else {
                        throw new InfrastructureException("cannot create topic " + s.name() + ": "
                                + e.getCause().getMessage());
                    }
                } catch (TimeoutException e) {
                    throw new InfrastructureException("timed out creating topic " + s.name());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InfrastructureException("interrupted while creating topics");
                }
            }
        }
        List<Outcome> out = new ArrayList<>();
        for (Spec s : specs) {
            TopicDescription d = described.get(s.name());
            if (d == null) {
                out.add(created.get(s.name()));
                continue;
            }
            int partitions = d.partitions().size();
            int rf = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
            List<String> problems = new ArrayList<>();
            if (partitions > s.partitions()) {
                problems.add(partitions + " partitions where Faultline writes 1: records can be read out of order");
            }
            out.add(new Outcome(s, false, partitions, rf, problems));
        }
        return out;
    }

    /** The topics of {@code names} that exist and this principal may describe. */
    private static Map<String, TopicDescription> describeExisting(Admin admin, List<String> names)
            throws InfrastructureException {
        Map<String, TopicDescription> out = new HashMap<>();
        var futures = admin.describeTopics(names).topicNameValues();
        for (String name : names) {
            try {
                out.put(name, futures.get(name).get(30, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException
                        || e.getCause() instanceof TopicAuthorizationException)) {
                    throw new InfrastructureException("cannot describe topic " + name + ": " + e.getCause().getMessage());
                }
            } catch (TimeoutException e) {
                throw new InfrastructureException("timed out describing topic " + name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfrastructureException("interrupted while describing topics");
            }
        }
        return out;
    }

    /** How many brokers the cluster has. */
    public static int brokers(Admin admin) throws InfrastructureException {
        try {
            return admin.describeCluster().nodes().get(15, TimeUnit.SECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            throw new InfrastructureException("cannot describe the cluster: "
                    + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while describing the cluster");
        }
    }
}

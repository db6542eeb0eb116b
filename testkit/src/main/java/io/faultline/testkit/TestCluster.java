package io.faultline.testkit;

import io.faultline.broker.EmbeddedCluster;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * A real KRaft cluster of several nodes for one test class (replication 3, min.insync.replicas 2),
 * with the helpers Admin-level tests need, so a module under test need not know how it is started.
 */
public final class TestCluster implements AutoCloseable {
    private final EmbeddedCluster cluster;

    private TestCluster(EmbeddedCluster cluster) {
        this.cluster = cluster;
    }

    public static TestCluster start(Path dir, int nodes) throws Exception {
        return new TestCluster(EmbeddedCluster.start(dir, nodes, 0));
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Node {@code id}'s process (ids from 1). */
    public ProcessHandle node(int id) {
        return cluster.node(id);
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, (Object) bootstrapServers()));
    }

    /** Waits until every partition of {@code topics} has a leader. */
    public static void awaitLeaders(Admin admin, Collection<String> topics) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                boolean led = true;
                for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
                    led &= d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                }
                if (led) {
                    return;
                }
            } catch (ExecutionException e) {
                // Not known everywhere yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader for every partition of " + topics + " within 60 s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Topic {@code topic}'s {@code min.insync.replicas} as the brokers describe it, with
     * " (topic override)" when the topic sets its own.
     */
    public static String minIsr(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry e = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r)
                .get("min.insync.replicas");
        return e.value() + (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG ? " (topic override)" : "");
    }

    @Override
    public void close() {
        cluster.close();
    }
}

package io.faultline.engine;

import io.faultline.time.Scheduler;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * The watches a run keeps on the cluster, started as a run starts them ({@link ClusterWatch} on
 * the canary topics, {@link AssignmentWatch} on the system's group, each on its own scheduler),
 * so that a benchmark measures what they cost and nothing else.
 */
public final class RunWatches implements AutoCloseable {
    private final ClusterWatch cluster;
    private final AssignmentWatch group;

    public RunWatches(Admin admin, List<String> topics, String groupId, String inputTopic) {
        this.cluster = new ClusterWatch(admin, topics, Scheduler.system("cluster-watch", Clock.systemUTC()));
        this.group = new AssignmentWatch(admin, groupId, inputTopic, Scheduler.system("assignments", Clock.systemUTC()));
    }

    /** Changes the cluster watch kept and looks the group watch kept, for the output. */
    public String kept() {
        return cluster.changes().size() + " cluster changes, " + group.looks().size() + " group looks";
    }

    public static long clusterIntervalMs() {
        return ClusterWatch.INTERVAL.toMillis();
    }

    public static long groupIntervalMs() {
        return AssignmentWatch.INTERVAL.toMillis();
    }

    @Override
    public void close() {
        cluster.close();
        group.close();
    }
}

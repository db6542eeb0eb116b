package io.faultline.engine;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/** Looks up, through the admin client, which member of a consumer group owns a topic's partitions. */
final class GroupOwners {
    private GroupOwners() {
    }

    /** The client.id of the group member owning the most partitions of {@code topic}; waits for a stable group. */
    static String partitionOwner(Admin admin, String group, String topic)
            throws InfrastructureException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "group not found";
        while (System.nanoTime() < deadline) {
            try {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                        .get(10, TimeUnit.SECONDS).get(group);
                MemberDescription best = null;
                long bestCount = 0;
                for (MemberDescription m : d.members()) {
                    long n = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic)).count();
                    if (n > bestCount) {
                        best = m;
                        bestCount = n;
                    }
                }
                if (best != null) {
                    return best.clientId();
                }
                last = "group " + group + " is " + d.groupState() + " with no owner of " + topic;
            } catch (ExecutionException | TimeoutException e) {
                last = e.getCause() != null ? e.getCause().getMessage() : e.toString();
            }
            Thread.sleep(200);
        }
        throw new InfrastructureException("cannot find the owner of " + topic + " in group " + group + ": " + last);
    }
}

package io.faultline.engine;

import io.faultline.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;

/** Looks up, through the admin client, the members of a consumer group and what they own of a topic. */
final class GroupOwners {
    private GroupOwners() {
    }

    /**
     * The members of {@code group}, each with its partitions of {@code topic}; waits, at most 30 s,
     * for a stable group with at least one member owning a partition of the topic.
     */
    /** How often a group that is not stable yet is described again. */
    static final Duration RETRY = Duration.ofMillis(200);

    static List<TargetResolver.Member> members(Admin admin, String group, String topic, Scheduler time)
            throws InfrastructureException, InterruptedException {
        return members(admin, group, topic, Duration.ofSeconds(30), time);
    }

    /** As {@link #members(Admin, String, String, Scheduler)}, waiting at most {@code wait} on {@code time}. */
    static List<TargetResolver.Member> members(Admin admin, String group, String topic, Duration wait, Scheduler time)
            throws InfrastructureException, InterruptedException {
        Instant deadline = time.clock().instant().plus(wait);
        String last = "group not found";
        while (time.clock().instant().isBefore(deadline)) {
            try {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                        .get(10, TimeUnit.SECONDS).get(group);
                List<TargetResolver.Member> members = new ArrayList<>();
                for (MemberDescription m : d.members()) {
                    int n = (int) m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic)).count();
                    members.add(new TargetResolver.Member(m.clientId(), m.host().replaceFirst("^/", ""), n));
                }
                if (members.stream().anyMatch(m -> m.partitions() > 0)) {
                    return members;
                }
                last = "group " + group + " is " + d.groupState() + " with no owner of " + topic
                        + (members.isEmpty() ? "" : " (members: " + members + ")");
            } catch (ExecutionException | TimeoutException e) {
                last = (e.getCause() != null ? e.getCause().getMessage() : e.toString()).replaceFirst("\\.$", "");
            }
            time.sleep(RETRY);
        }
        throw new InfrastructureException("cannot find the members of group " + group + " owning " + topic + ": " + last
                + existingGroups(admin));
    }

    /** The consumer groups the cluster has, for an error about one it lacks. */
    private static String existingGroups(Admin admin) throws InterruptedException {
        try {
            List<String> names = admin.listGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId)
                    .filter(g -> !g.startsWith("faultline")).sorted().toList();
            return names.isEmpty() ? "; the cluster has no other consumer group"
                    : "; consumer groups there are: " + String.join(", ", names.subList(0, Math.min(20, names.size())))
                    + (names.size() > 20 ? " and " + (names.size() - 20) + " more" : "");
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }
}

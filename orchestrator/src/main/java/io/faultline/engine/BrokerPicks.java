package io.faultline.engine;

import io.faultline.scenario.TargetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Answers the broker picks from the cluster's own metadata, as an operator would look them up:
 * {@code partition-leader} from {@code describeTopics}; {@code controller} from
 * {@code describeMetadataQuorum}, the KRaft quorum's leader (never the Metadata response's
 * {@code Controller} field, which under KRaft names a random live broker); {@code broker} checked
 * against {@code describeCluster}.
 */
final class BrokerPicks implements TargetResolver.BrokerLookup {
    private static final long WAIT_S = 10;
    private final Admin admin;

    BrokerPicks(Admin admin) {
        this.admin = admin;
    }

    @Override
    public TargetResolver.BrokerPick node(String targetName, TargetSpec target)
            throws InfrastructureException, InterruptedException {
        String where = "target '" + targetName + "': ";
        try {
            return switch (target.pick()) {
                case CONTROLLER -> controller();
                case BROKER -> broker(where, target.broker());
                case PARTITION_LEADER -> leader(where, target.topic(), target.partition());
                default -> throw new IllegalArgumentException(target.pick() + " is not a broker pick");
            };
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UnknownTopicOrPartitionException) {
                throw new InfrastructureException(where + "no topic " + target.topic() + " in the cluster");
            }
            throw new InfrastructureException(where + "cannot read the cluster's metadata: "
                    + KafkaClients.refusal(c));
        } catch (TimeoutException e) {
            throw new InfrastructureException(where + "the cluster did not describe itself within " + WAIT_S + " s");
        }
    }

    private TargetResolver.BrokerPick controller() throws ExecutionException, InterruptedException, TimeoutException {
        QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get(WAIT_S, TimeUnit.SECONDS);
        return new TargetResolver.BrokerPick(q.leaderId(), "the active controller, leader of the KRaft quorum at epoch "
                + q.leaderEpoch());
    }

    private TargetResolver.BrokerPick broker(String where, int id)
            throws ExecutionException, InterruptedException, TimeoutException, InfrastructureException {
        List<Integer> ids = new ArrayList<>();
        for (Node n : admin.describeCluster().nodes().get(WAIT_S, TimeUnit.SECONDS)) {
            ids.add(n.id());
        }
        if (!ids.contains(id)) {
            ids.sort(null);
            throw new InfrastructureException(where + "no broker " + id + " in the cluster (brokers " + ids + ")");
        }
        return new TargetResolver.BrokerPick(id, "broker " + id);
    }

    private TargetResolver.BrokerPick leader(String where, String topic, Integer partition)
            throws ExecutionException, InterruptedException, TimeoutException, InfrastructureException {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(WAIT_S, TimeUnit.SECONDS)
                .get(topic);
        if (partition != null) {
            TopicPartitionInfo p = d.partitions().stream().filter(i -> i.partition() == partition).findFirst()
                    .orElseThrow(() -> new InfrastructureException(where + "topic " + topic + " has no partition "
                            + partition + " (it has " + d.partitions().size() + ")"));
            if (p.leader() == null || p.leader().isEmpty()) {
                throw new InfrastructureException(where + topic + "-" + partition + " has no leader now");
            }
            return new TargetResolver.BrokerPick(p.leader().id(), "the leader of " + topic + "-" + partition);
        }
        Map<Integer, Integer> led = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            if (p.leader() != null && !p.leader().isEmpty()) {
                led.merge(p.leader().id(), 1, Integer::sum);
            }
        }
        // The most partitions; on a tie, the lowest node id, so that plan and run agree.
        int best = led.entrySet().stream().max((a, b) -> a.getValue().equals(b.getValue())
                ? Integer.compare(b.getKey(), a.getKey()) : Integer.compare(a.getValue(), b.getValue()))
                .map(Map.Entry::getKey)
                .orElseThrow(() -> new InfrastructureException(where + "no partition of " + topic + " has a leader now"));
        return new TargetResolver.BrokerPick(best, "the leader of " + led.get(best) + " of the " + d.partitions().size()
                + " partitions of " + topic);
    }
}

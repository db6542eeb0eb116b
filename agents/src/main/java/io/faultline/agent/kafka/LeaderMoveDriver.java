package io.faultline.agent.kafka;

import io.faultline.agent.driver.FaultException;
import io.faultline.agent.journal.PriorStore;
import io.faultline.protocol.KafkaLeaderMoveFault;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;

/**
 * Executes {@code kafka.leader.move} the way {@code kafka-reassign-partitions} and
 * {@code kafka-leader-election} do it together: the new leader is put first in the partition's
 * replica list (the same replicas, so no data moves) and a preferred election makes it leader; it
 * stays first while the fault lasts, so the controller's own leader rebalancing does not take the
 * fault back. Undo makes the replica that led before leader again the same way and puts the
 * replica order back exactly as it was.
 */
public final class LeaderMoveDriver extends AdminFaultDriver<KafkaLeaderMoveFault, LeaderMoveDriver.Before> {
    /** One partition as it was: its replicas in order and its leader. */
    public record Partition(int partition, List<Integer> replicas, int leader) {
    }

    /** The partitions a fault moves, as they were, and the leader each gets. */
    public record Before(String topic, List<Partition> partitions, Map<Integer, Integer> to) {
    }

    public LeaderMoveDriver(Admin admin, Path stateDir) {
        super(admin, new PriorStore<>(stateDir.resolve("kafka-undo").resolve("leader-move"), Before.class));
    }

    @Override
    public Class<KafkaLeaderMoveFault> faultClass() {
        return KafkaLeaderMoveFault.class;
    }

    @Override
    public String faultType() {
        return KafkaLeaderMoveFault.TYPE;
    }

    @Override
    Before read(KafkaLeaderMoveFault fault, AdminCalls calls) throws FaultException {
        TopicDescription d = describe(fault.topic(), calls);
        Map<Integer, TopicPartitionInfo> byNumber = new LinkedHashMap<>();
        d.partitions().forEach(p -> byNumber.put(p.partition(), p));
        List<Integer> wanted = fault.partitions().isEmpty() ? new ArrayList<>(byNumber.keySet()) : fault.partitions();
        List<Partition> before = new ArrayList<>();
        Map<Integer, Integer> to = new LinkedHashMap<>();
        for (int n : wanted) {
            TopicPartitionInfo p = byNumber.get(n);
            String name = fault.topic() + "-" + n;
            if (p == null) {
                throw new FaultException("topic " + fault.topic() + " has no partition " + n + " (it has "
                        + byNumber.size() + ")");
            }
            if (p.leader() == null || p.leader().isEmpty()) {
                throw new FaultException(name + " has no leader now: nothing to move");
            }
            List<Integer> replicas = ids(p.replicas());
            Set<Integer> isr = new HashSet<>(ids(p.isr()));
            int leader = p.leader().id();
            int target = fault.to() != null ? fault.to() : next(replicas, isr, leader);
            if (target < 0) {
                throw new FaultException(name + " has no other in-sync replica to lead (replicas " + replicas
                        + ", in sync " + ids(p.isr()) + ")");
            }
            if (!replicas.contains(target)) {
                throw new FaultException("broker " + target + " holds no replica of " + name + " (replicas "
                        + replicas + ")");
            }
            if (!isr.contains(target)) {
                throw new FaultException("broker " + target + " is not in sync for " + name + " (in sync "
                        + ids(p.isr()) + "): it cannot be elected");
            }
            if (target == leader) {
                throw new FaultException("broker " + target + " already leads " + name);
            }
            before.add(new Partition(n, replicas, leader));
            to.put(n, target);
        }
        return new Before(fault.topic(), before, to);
    }

    /** The first in-sync replica after {@code leader} in replica order, round the list; -1 when there is none. */
    private static int next(List<Integer> replicas, Set<Integer> isr, int leader) {
        int at = replicas.indexOf(leader);
        for (int i = 1; i < replicas.size(); i++) {
            int r = replicas.get((at + i) % replicas.size());
            if (isr.contains(r)) {
                return r;
            }
        }
        return -1;
    }

    @Override
    String change(KafkaLeaderMoveFault fault, Before prior, AdminCalls calls) throws FaultException {
        Map<Integer, Integer> leaders = new LinkedHashMap<>();
        Map<Integer, List<Integer>> orders = new LinkedHashMap<>();
        for (Partition p : prior.partitions()) {
            int to = prior.to().get(p.partition());
            leaders.put(p.partition(), to);
            orders.put(p.partition(), first(to, p.replicas()));
        }
        lead(prior.topic(), leaders, orders, orders, calls);
        List<String> moved = new ArrayList<>();
        prior.partitions().forEach(p -> moved.add(prior.topic() + "-" + p.partition() + " " + p.leader() + " -> "
                + prior.to().get(p.partition())));
        return "leader moved: " + String.join(", ", moved);
    }

    @Override
    String restore(Before prior, AdminCalls calls) throws FaultException {
        Map<Integer, Integer> leaders = new LinkedHashMap<>();
        Map<Integer, List<Integer>> electing = new LinkedHashMap<>();
        Map<Integer, List<Integer>> orders = new LinkedHashMap<>();
        for (Partition p : prior.partitions()) {
            leaders.put(p.partition(), p.leader());
            electing.put(p.partition(), first(p.leader(), p.replicas()));
            orders.put(p.partition(), p.replicas());
        }
        lead(prior.topic(), leaders, electing, orders, calls);
        List<String> back = new ArrayList<>();
        prior.partitions().forEach(p -> back.add(prior.topic() + "-" + p.partition() + " leader " + p.leader()
                + ", replicas " + p.replicas()));
        return "restored: " + String.join(", ", back);
    }

    @Override
    String describe(KafkaLeaderMoveFault fault, Before prior) {
        List<String> moves = new ArrayList<>();
        prior.partitions().forEach(p -> moves.add(prior.topic() + "-" + p.partition() + " " + p.leader() + " -> "
                + prior.to().get(p.partition())));
        return "would move the leader of " + String.join(", ", moves);
    }

    /**
     * Makes each partition's {@code leaders} entry its leader: replica order {@code electing} (the
     * leader first), a preferred election, then replica order {@code orders}. Partitions already led
     * by the wanted broker are only reordered.
     */
    private void lead(String topic, Map<Integer, Integer> leaders, Map<Integer, List<Integer>> electing,
                      Map<Integer, List<Integer>> orders, AdminCalls calls) throws FaultException {
        reorder(topic, electing, calls);
        Set<TopicPartition> tps = new HashSet<>();
        leaders.keySet().forEach(n -> tps.add(new TopicPartition(topic, n)));
        var election = admin.electLeaders(ElectionType.PREFERRED, tps);
        Map<TopicPartition, Optional<Throwable>> results = calls.get(election.partitions(),
                "electing the preferred leaders of " + topic, "Alter on CLUSTER");
        for (var r : results.entrySet()) {
            if (r.getValue().isPresent() && !(r.getValue().get() instanceof ElectionNotNeededException)) {
                throw new FaultException("electing the leader of " + r.getKey() + ": "
                        + AdminCalls.reason(r.getValue().get()));
            }
        }
        calls.await(() -> leadersAre(topic, leaders), "the new leaders of " + topic);
        if (!orders.equals(electing)) {
            reorder(topic, orders, calls);
        }
    }

    /** Sets each partition's replica order (the same replicas: no data moves) and waits for it to be done. */
    private void reorder(String topic, Map<Integer, List<Integer>> orders, AdminCalls calls) throws FaultException {
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new LinkedHashMap<>();
        orders.forEach((n, r) -> moves.put(new TopicPartition(topic, n), Optional.of(new NewPartitionReassignment(r))));
        calls.get(admin.alterPartitionReassignments(moves).all(), "reordering the replicas of " + topic,
                "Alter on CLUSTER");
        calls.await(() -> ordersAre(topic, orders), "the new replica order of " + topic);
    }

    private boolean leadersAre(String topic, Map<Integer, Integer> leaders) {
        TopicDescription d = describeNow(topic);
        if (d == null) {
            return false;
        }
        for (TopicPartitionInfo p : d.partitions()) {
            Integer want = leaders.get(p.partition());
            if (want != null && (p.leader() == null || p.leader().id() != want)) {
                return false;
            }
        }
        return true;
    }

    private boolean ordersAre(String topic, Map<Integer, List<Integer>> orders) {
        TopicDescription d = describeNow(topic);
        if (d == null) {
            return false;
        }
        for (TopicPartitionInfo p : d.partitions()) {
            List<Integer> want = orders.get(p.partition());
            if (want != null && !ids(p.replicas()).equals(want)) {
                return false;
            }
        }
        return true;
    }

    /** The topic as Kafka describes it now; null when it does not answer (the caller polls again). */
    private TopicDescription describeNow(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private TopicDescription describe(String topic, AdminCalls calls) throws FaultException {
        Map<String, TopicDescription> found = calls.get(admin.describeTopics(List.of(topic)).allTopicNames(),
                "describing topic " + topic, "Describe on TOPIC " + topic);
        return found.get(topic);
    }

    private static List<Integer> first(int leader, List<Integer> replicas) {
        List<Integer> out = new ArrayList<>();
        out.add(leader);
        replicas.stream().filter(r -> r != leader).forEach(out::add);
        return out;
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }
}

package io.faultline.engine;

import io.faultline.scenario.CanarySpec;
import io.faultline.time.Scheduler;
import io.faultline.verifier.History;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's own account of itself while a run goes: the canary topics described and the
 * KRaft metadata quorum asked for its leader every {@link #INTERVAL} (two Admin requests), and
 * each change kept with the time it was seen: a partition's leader (or none), its ISR size
 * against its replicas, the quorum leader, and each stretch over {@link #BLIND_AFTER} in which the
 * cluster did not answer (a frozen broker): what changed then is seen only after it. The verifier turns them into each fault's leader
 * elections, time without a leader, time under-replicated and controller changes.
 */
final class ClusterWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterWatch.class);
    static final Duration INTERVAL = Duration.ofMillis(250);
    /** A run's changes kept at most: a cluster that flaps for hours does not fill the heap. */
    static final int MAX_CHANGES = 20_000;
    /**
     * How long one look waits: the watch admin tries a frozen broker for 1.5 s, then another. The
     * topics are described before the quorum is asked, not beside it: asked at once, a quorum
     * request stuck on a frozen controller held the topics up for the whole freeze.
     */
    private static final long WAIT_MS = 4_000;

    private final Admin admin;
    private final List<String> topics;
    private final Scheduler time;
    private final List<History.ClusterChange> changes = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> leaders = new HashMap<>();
    private final Map<String, Integer> isr = new HashMap<>();
    private Integer controller;
    /** When the topics were last described; a longer silence than {@link #BLIND_AFTER} is kept as BLIND. */
    private Instant lastSeen;
    static final Duration BLIND_AFTER = Duration.ofSeconds(1);
    private boolean controllerKnown;
    private final Scheduler.Cancellable task;
    private boolean warned;

    ClusterWatch(Admin admin, List<String> topics, Scheduler time) {
        this.admin = admin;
        this.topics = List.copyOf(topics);
        this.time = time;
        this.task = time.scheduleAtFixedRate(Duration.ZERO, INTERVAL, this::sample);
    }

    /** What a run watches: the canary's input and output topics, once each. */
    static List<String> topics(CanarySpec canary) {
        Set<String> topics = new LinkedHashSet<>(List.of(canary.inputTopic()));
        topics.add(canary.outputTopic());
        return List.copyOf(topics);
    }

    /** The changes seen so far, in time order, after one more look: an undo just confirmed is in it. */
    List<History.ClusterChange> changes() {
        sample();
        return List.copyOf(changes);
    }

    synchronized void sample() {
        Instant at = time.clock().instant();
        try {
            Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames()
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);
            if (lastSeen != null && Duration.between(lastSeen, at).compareTo(BLIND_AFTER) > 0) {
                // The cluster did not answer in between: whatever changed then is only seen now.
                add(new History.ClusterChange(lastSeen, History.ClusterChange.Kind.BLIND, null,
                        (int) Math.min(Integer.MAX_VALUE, Duration.between(lastSeen, at).toMillis()), null));
            }
            lastSeen = at;
            for (TopicDescription t : d.values()) {
                for (TopicPartitionInfo p : t.partitions()) {
                    String name = t.name() + "-" + p.partition();
                    Integer leader = p.leader() == null || p.leader().isEmpty() ? null : p.leader().id();
                    if (!leaders.containsKey(name) || !Objects.equals(leaders.get(name), leader)) {
                        leaders.put(name, leader);
                        add(new History.ClusterChange(at, History.ClusterChange.Kind.LEADER, name, leader, null));
                    }
                    int inSync = p.isr().size();
                    if (!Objects.equals(isr.get(name), inSync)) {
                        isr.put(name, inSync);
                        add(new History.ClusterChange(at, History.ClusterChange.Kind.ISR, name, inSync,
                                p.replicas().size()));
                    }
                }
            }
        } catch (Exception e) {
            warnOnce("cannot describe the canary topics", e);
        }
        try {
            int leader = admin.describeMetadataQuorum().quorumInfo().get(WAIT_MS, TimeUnit.MILLISECONDS).leaderId();
            Integer now = leader < 0 ? null : leader;
            if (!controllerKnown || !Objects.equals(controller, now)) {
                controllerKnown = true;
                controller = now;
                add(new History.ClusterChange(at, History.ClusterChange.Kind.CONTROLLER, null, now, null));
            }
        } catch (Exception e) {
            warnOnce("cannot describe the metadata quorum", e);
        }
    }

    private void add(History.ClusterChange c) {
        if (changes.size() < MAX_CHANGES) {
            changes.add(c);
        }
    }

    private void warnOnce(String what, Exception e) {
        if (!warned) {
            warned = true;
            log.debug("{}: {}", what, e.toString());
        }
    }

    @Override
    public void close() {
        task.cancel();
        time.close();
    }
}

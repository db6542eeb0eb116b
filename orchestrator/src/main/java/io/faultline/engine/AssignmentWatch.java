package io.faultline.engine;

import io.faultline.time.Scheduler;
import io.faultline.verifier.History;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system under test's own account of who owns the canary's input partitions: its consumer
 * group described every {@link #INTERVAL} while the run goes, each change kept with the time it
 * was seen. The verifier names from it, per partition a fault stopped, the old and the new owner
 * and when the group handed it over: truth from outside Faultline's canary. Each look that finds
 * the group changed (its state, group epoch, member count or assignment) is kept too: the
 * verifier times the group's rebalances from them, per protocol.
 */
final class AssignmentWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AssignmentWatch.class);
    static final Duration INTERVAL = Duration.ofMillis(500);
    /** A run's changes kept at most: a group that flaps for hours does not fill the heap. */
    static final int MAX_CHANGES = 10_000;

    private final Admin admin;
    private final String group;
    private final String topic;
    private final Scheduler time;
    private final List<History.Ownership> changes = new CopyOnWriteArrayList<>();
    private final Map<Integer, String> current = new HashMap<>();
    private final List<History.GroupLook> looks = new CopyOnWriteArrayList<>();
    private History.GroupLook lastLook;
    private final Scheduler.Cancellable task;
    private boolean warned;

    AssignmentWatch(Admin admin, String group, String topic, Scheduler time) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
        this.time = time;
        this.task = time.scheduleAtFixedRate(Duration.ZERO, INTERVAL, this::sample);
    }

    /** The changes seen so far, in time order. */
    List<History.Ownership> changes() {
        return List.copyOf(changes);
    }

    /** The looks that found the group changed, in time order. */
    List<History.GroupLook> looks() {
        return List.copyOf(looks);
    }

    /** One description of the group: every partition whose owner differs from the last seen is a change. */
    void sample() {
        ConsumerGroupDescription d;
        try {
            d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
        } catch (Exception e) {
            if (!warned) {
                warned = true;
                log.debug("cannot describe group {}: {}", group, e.toString());
            }
            return;
        }
        Map<Integer, String> now = new HashMap<>();
        for (MemberDescription m : d.members()) {
            for (TopicPartition tp : m.assignment().topicPartitions()) {
                if (tp.topic().equals(topic)) {
                    now.put(tp.partition(), m.clientId());
                }
            }
        }
        var at = time.clock().instant();
        look(at, d, now);
        for (Integer p : union(now, current)) {
            String owner = now.get(p);
            if (!current.containsKey(p) || !Objects.equals(current.get(p), owner)) {
                current.put(p, owner);
                if (changes.size() < MAX_CHANGES) {
                    changes.add(new History.Ownership(p, owner, at));
                }
            }
        }
    }

    private void look(Instant at, ConsumerGroupDescription d, Map<Integer, String> owners) {
        String protocol = d.type() == null ? "unknown" : d.type().toString().toLowerCase(Locale.ROOT);
        String state = d.groupState() == null ? "Unknown" : d.groupState().toString();
        History.GroupLook g = new History.GroupLook(at, group, protocol, state, d.groupEpoch().orElse(null),
                d.members().size(), owners.hashCode());
        if (lastLook == null || !lastLook.state().equals(g.state()) || !Objects.equals(lastLook.epoch(), g.epoch())
                || lastLook.members() != g.members() || lastLook.assignment() != g.assignment()) {
            if (looks.size() < MAX_CHANGES) {
                looks.add(g);
            }
        }
        lastLook = g;
    }

    /** Every look of {@code main} (may be null) and of {@code others}, in time order. */
    static List<History.GroupLook> looks(AssignmentWatch main, Several others) {
        List<History.GroupLook> all = new ArrayList<>(main == null ? List.of() : main.looks());
        others.watches.forEach(w -> all.addAll(w.looks()));
        all.sort(Comparator.comparing(History.GroupLook::at));
        return all;
    }

    /** Watches of several groups, closed together. */
    static final class Several implements AutoCloseable {
        private final List<AssignmentWatch> watches = new ArrayList<>();

        Several(List<String> groups, Function<String, AssignmentWatch> watch) {
            groups.forEach(g -> watches.add(watch.apply(g)));
        }

        @Override
        public void close() {
            watches.forEach(AssignmentWatch::close);
        }
    }

    private static List<Integer> union(Map<Integer, String> a, Map<Integer, String> b) {
        TreeSet<Integer> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        return List.copyOf(all);
    }

    @Override
    public void close() {
        task.cancel();
        time.close();
    }
}

package io.faultline.agent.kafka;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.KafkaGroupChurnFault;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes {@code kafka.group.churn}: a probe member, on a thread of its own, joins the group with
 * the protocol the group runs (classic, or KIP-848's consumer protocol, read from
 * {@code describeConsumerGroups}), waits for its share of the partitions (at most {@code every}
 * once in the group: with more members than partitions it gets none), and leaves, every
 * {@code every}; each join and each leave is a rebalance for the whole group. The probe never
 * commits, so the members go on from their own offsets. Undo stops it (it leaves the group); an
 * agent killed mid-fault takes the probe with it, and the group drops it after its session
 * timeout, so recovery has nothing to do.
 */
public final class GroupChurnDriver implements FaultDriver<KafkaGroupChurnFault> {
    private static final Logger log = LoggerFactory.getLogger(GroupChurnDriver.class);
    /** The shortest session brokers allow by default: a probe left behind is dropped soon. */
    static final Duration SESSION = Duration.ofSeconds(6);
    /**
     * The longest the probe waits for its share before it leaves anyway: under KIP-848 a member
     * gets partitions only once others have revoked them, a heartbeat or two (5 s each) later.
     */
    static final Duration MAX_HOLD = Duration.ofSeconds(30);

    private final Admin admin;
    private final KafkaConnection kafka;
    private final String clientId;

    public GroupChurnDriver(Admin admin, KafkaConnection kafka, String clientId) {
        this.admin = admin;
        this.kafka = kafka;
        this.clientId = clientId;
    }

    @Override
    public Class<KafkaGroupChurnFault> faultClass() {
        return KafkaGroupChurnFault.class;
    }

    @Override
    public String faultType() {
        return KafkaGroupChurnFault.TYPE;
    }

    /** The group as Kafka describes it; refused when it does not exist. */
    private ConsumerGroupDescription group(String group) throws FaultException {
        ConsumerGroupDescription d = AdminCalls.within(AdminCalls.BUDGET).get(
                admin.describeConsumerGroups(List.of(group)).all(), "describing group " + group).get(group);
        if (d == null || d.groupState() == GroupState.DEAD) {
            throw new FaultException("no consumer group " + group + " in the cluster");
        }
        return d;
    }

    private static String protocol(ConsumerGroupDescription d) {
        return d.type() == GroupType.CONSUMER ? "consumer" : "classic";
    }

    @Override
    public String preview(KafkaGroupChurnFault fault) throws FaultException {
        ConsumerGroupDescription d = group(fault.group());
        return "would join and leave group " + fault.group() + " (" + protocol(d) + " protocol, " + d.members().size()
                + " members) every " + fault.interval().toSeconds() + " s";
    }

    @Override
    public Applied apply(String commandId, KafkaGroupChurnFault fault) throws FaultException {
        ConsumerGroupDescription d = group(fault.group());
        String protocol = protocol(d);
        Properties p = kafka.client(clientId + "-churn");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, fault.group());
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(SESSION.toMillis()));
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(SESSION.toMillis() / 3));
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger joins = new AtomicInteger();
        Thread probe = new Thread(() -> churn(p, fault, stop, joins), "churn-" + commandId);
        probe.setDaemon(true);
        probe.start();
        String detail = "probe member joins and leaves group " + fault.group() + " (" + protocol + " protocol, "
                + d.members().size() + " members) every " + fault.interval().toSeconds() + " s";
        return Applied.of(detail, () -> {
            // No interrupt: the probe leaves the group cleanly, within a poll.
            stop.countDown();
            try {
                probe.join(AdminCalls.BUDGET.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FaultException("interrupted while the probe member left group " + fault.group());
            }
            if (probe.isAlive()) {
                throw new FaultException("the probe member of group " + fault.group() + " did not leave within "
                        + AdminCalls.BUDGET.toSeconds() + " s");
            }
            return "probe member left group " + fault.group() + " after " + joins.get() + " join(s)";
        });
    }

    /**
     * Joins, holds until it has partitions (at most {@code every} once it is in the group, at most
     * {@link #MAX_HOLD} in all), leaves, waits, and again, until told to stop.
     */
    private static void churn(Properties p, KafkaGroupChurnFault fault, CountDownLatch stop, AtomicInteger joins) {
        long every = fault.interval().toMillis();
        while (stop.getCount() > 0) {
            KafkaConsumer<byte[], byte[]> c = null;
            try {
                c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                c.subscribe(List.of(fault.topic()));
                joins.incrementAndGet();
                long until = System.nanoTime() + Math.max(every, MAX_HOLD.toMillis()) * 1_000_000L;
                // Its share may be none (more members than partitions): once in the group (a generation, a member
                // epoch under KIP-848) it waits for one at most `every`, not until the fault ends.
                long joined = 0;
                while (stop.getCount() > 0 && c.assignment().isEmpty() && System.nanoTime() < until
                        && (joined == 0 || System.nanoTime() < joined + every * 1_000_000L)) {
                    c.poll(Duration.ofMillis(200));
                    if (joined == 0 && c.groupMetadata().generationId() >= 0) {
                        joined = System.nanoTime();
                    }
                }
            } catch (RuntimeException e) {
                log.warn("probe member of group {}: {}", fault.group(), e.getMessage());
            } finally {
                if (c != null) {
                    try {
                        c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
                    } catch (RuntimeException e) {
                        log.debug("probe member of group {} closing: {}", fault.group(), e.toString());
                    }
                }
            }
            try {
                if (stop.await(every, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public String recover(String commandId, KafkaGroupChurnFault fault) {
        return "nothing to undo: the probe member ended with the agent that ran it, and the group drops it within "
                + SESSION.toSeconds() + " s";
    }
}

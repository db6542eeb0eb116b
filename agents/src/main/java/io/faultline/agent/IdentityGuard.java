package io.faultline.agent;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running agent per id, enforced by Kafka's group coordinator: every agent joins the consumer
 * group {@code <prefix>agent.<id>} on the commands topic, and the member assigned the topic's
 * partition 0 is the agent for that id. The cooperative sticky assignor leaves that partition with
 * its holder, so a second agent started with the same id is assigned nothing: it waits one
 * session timeout (a predecessor that was killed drops out by then) and then refuses to run.
 *
 * <p>The group only decides who holds the id; nothing is read through it (the partition is
 * paused the moment it is assigned) and no offset is committed. The consumer lives on a thread of
 * its own.
 */
final class IdentityGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IdentityGuard.class);
    /** How long the coordinator keeps a member that stopped heartbeating (a killed agent). */
    static final Duration SESSION = Duration.ofSeconds(10);
    /** How long a new agent waits for its id: a killed predecessor's session, a rebalance, and margin. */
    static final Duration ACQUIRE = SESSION.multipliedBy(2).plusSeconds(5);

    private final String group;
    private final TopicPartition token;
    private final Consumer<byte[], byte[]> consumer;
    private final CountDownLatch acquired = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean open = true;
    /** Set when another member was given the id after this one had it. */
    private volatile boolean takenOver;

    IdentityGuard(AgentConfig config, AgentClients clients) {
        this.group = config.topics().prefix() + "agent." + config.agentId();
        this.token = new TopicPartition(config.topics().commands(), 0);
        this.consumer = clients.identity(group);
        this.thread = new Thread(this::loop, "agent-identity");
        thread.setDaemon(true);
    }

    /** The consumer group that decides who holds this id. */
    String group() {
        return group;
    }

    /**
     * Joins the group and waits, at most {@link #ACQUIRE}, to be given the id. False when another
     * live agent holds it throughout.
     */
    boolean acquire() throws InterruptedException {
        thread.start();
        return acquired.await(ACQUIRE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once another agent with this id was given it: this one must no longer act on commands. */
    boolean takenOver() {
        return takenOver;
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(token.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    consumer.pause(partitions);
                    if (partitions.contains(token)) {
                        if (takenOver) {
                            log.warn("this agent holds its id again (group {})", group);
                        }
                        takenOver = false;
                        acquired.countDown();
                    }
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // Cooperative rebalancing revokes only what moves to another member.
                    if (partitions.contains(token) && open) {
                        takenOver = true;
                        log.error("another agent with this id was given it (group {}): this agent acts on no command"
                                + " any more", group);
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    // The coordinator dropped this member (a broker out of reach): rejoining gets the id back.
                    if (partitions.contains(token)) {
                        log.warn("lost the group {} (the broker could not be reached); rejoining", group);
                    }
                }
            });
            while (open) {
                consumer.poll(Duration.ofSeconds(1));
            }
        } catch (WakeupException e) {
            // close() was called.
        } catch (RuntimeException e) {
            log.error("identity guard stopped: {}", e.toString());
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Leaves the group, so that an agent started next with this id is given it at once. */
    @Override
    public void close() {
        open = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            return;
        }
        consumer.wakeup();
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

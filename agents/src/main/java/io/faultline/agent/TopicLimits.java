package io.faultline.agent;

import io.faultline.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the broker may hand the agent records larger than it reads. The agent refuses a command
 * or halt record over {@link Topics#MAX_COMMAND_BYTES} unread, but Kafka's consumer fetches a
 * batch whole whatever its fetch sizes say: on a commands or halt topic that takes larger records
 * (created by hand, or by auto-creation, rather than by {@code faultline init}), a writer of the
 * topic can make the agent allocate them. The agent cannot refuse that, so it says so in every
 * heartbeat's problems.
 */
final class TopicLimits {
    private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);

    private TopicLimits() {
    }

    /**
     * Looks once, on a thread of its own so that nothing waits for it, and logs what it finds;
     * returns what it found so far (empty until it has an answer, or when it could not look).
     */
    static Supplier<List<String>> lookOnce(Supplier<Admin> admins, String agentId, Topics topics) {
        AtomicReference<List<String>> found = new AtomicReference<>(List.of());
        Thread t = new Thread(() -> {
            try (Admin admin = admins.get()) {
                List<String> problems = check(admin, topics, Duration.ofSeconds(15));
                problems.forEach(p -> log.warn("agent {}: {}", agentId, p));
                found.set(List.copyOf(problems));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.debug("agent {}: could not read the record limits of its topics: {}", agentId, e.toString());
            }
        }, "agent-topic-limits");
        t.setDaemon(true);
        t.start();
        return found::get;
    }

    /** The problems with {@code topics}' record limits, in words; empty when both are within the bound. */
    static List<String> check(Admin admin, Topics topics, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = List.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.commands()),
                new ConfigResource(ConfigResource.Type.TOPIC, topics.halt()));
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<String> out = new ArrayList<>();
        for (ConfigResource r : resources) {
            Config c = configs.get(r);
            ConfigEntry e = c == null ? null : c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            String problem = e == null ? null : problem(r.name(), e.value());
            if (problem != null) {
                out.add(problem);
            }
        }
        return out;
    }

    /** Why a topic whose {@code max.message.bytes} is {@code value} is a problem; null when it is not. */
    static String problem(String topic, String value) {
        long max;
        try {
            max = Long.parseLong(value.strip());
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
        if (max <= Topics.MAX_COMMAND_BYTES) {
            return null;
        }
        return "topic " + topic + " takes records of up to " + max + " bytes (max.message.bytes): this agent refuses "
                + "any over " + Topics.MAX_COMMAND_BYTES + " unread, but its consumer still fetches such a record "
                + "whole; set max.message.bytes=" + Topics.MAX_COMMAND_BYTES + " on " + topic
                + " (faultline init creates it so)";
    }
}

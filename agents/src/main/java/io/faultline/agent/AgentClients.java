package io.faultline.agent;

import io.faultline.protocol.Topics;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka clients an agent runs. {@link #kafka} is the one place that turns the agent's
 * settings (bootstrap servers, {@code --command-config}) into client properties; tests hand in
 * kafka-clients' {@code MockConsumer} and {@code MockProducer} instead.
 */
public interface AgentClients {
    /** Reads the commands and halt topics (assigned, no group). */
    Consumer<String, byte[]> commands();

    /** Joins {@code group} to hold the agent's id (see {@link IdentityGuard}). */
    Consumer<byte[], byte[]> identity(String group);

    /** Sends the agent's telemetry. */
    Producer<String, byte[]> telemetry();

    /** Looks for a halt topic created after start. */
    Admin admin();

    /** Real clients on the agent's Kafka connection. */
    static AgentClients kafka(AgentConfig config) {
        return new Real(config);
    }

    /** The real clients, with the settings each role needs. */
    final class Real implements AgentClients {
        private final AgentConfig config;

        private Real(AgentConfig config) {
            this.config = config;
        }

        private Properties base(String suffix) {
            return config.kafka().client("faultline-agent-" + config.agentId() + suffix);
        }

        @Override
        public Consumer<String, byte[]> commands() {
            Properties p = base("");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            // An idle agent asks for commands every 2 s instead of every 0.5 s; a command still wakes the
            // pending fetch at once, so this costs no latency, only idle traffic. Longer waits hold up
            // the consumer's other requests (the broker answers a connection in order).
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "2000");
            // Commands are a few KiB: fetch little at a time, so a flood of large records cannot fill the heap.
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * Topics.MAX_COMMAND_BYTES));
            p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(16 * Topics.MAX_COMMAND_BYTES));
            noJmx(p);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            return new KafkaConsumer<>(p);
        }

        @Override
        public Consumer<byte[], byte[]> identity(String group) {
            Properties p = base("-identity");
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(IdentityGuard.SESSION.toMillis()));
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(IdentityGuard.SESSION.toMillis() / 5));
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            noJmx(p);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            return new KafkaConsumer<>(p);
        }

        @Override
        public Producer<String, byte[]> telemetry() {
            Properties p = base("");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            noJmx(p);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            return new KafkaProducer<>(p);
        }

        @Override
        public Admin admin() {
            return Admin.create(base("-halt-lookup"));
        }

        /** No JMX: the agent exports what matters itself (--metrics-port), and the MBeans cost memory. */
        private static void noJmx(Properties p) {
            p.put(ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "");
        }
    }
}

package io.faultline.engine;

import io.faultline.kafka.Clients;
import io.faultline.protocol.KafkaConnection;
import io.faultline.workload.CanaryClients;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Kafka clients a run is made of. {@link #of} makes the real ones (through {@link Clients});
 * a test hands in kafka-clients' {@code MockAdminClient}, {@code MockProducer} and
 * {@code MockConsumer} and drives a whole run without a broker.
 */
public interface RunClients {
    /** Topics, reachability, consumer groups. */
    Admin admin();

    /**
     * The cluster watches' own admin client, with short request timeouts, so that a broker a
     * fault froze (connections open, no answer) blinds them for a moment, not for the whole fault;
     * by default {@link #admin()}'s kind.
     */
    default Admin watchAdmin() {
        return admin();
    }

    /** Commands, the audit record and the verdict. */
    Producer<String, byte[]> producer();

    /** Reads the telemetry topic (assigned by the feed). */
    Consumer<String, byte[]> telemetry();

    /** Reads the halt topic (assigned by the watch). */
    Consumer<String, byte[]> halt();

    /**
     * The canary's producer of the input topic ({@link CanaryClients#producer}), giving a send up
     * after {@code deliveryTimeout}; closed with the canary.
     */
    Producer<String, byte[]> canaryProducer(Duration deliveryTimeout);

    /** The canary's observer of the output topic, read committed ({@link CanaryClients#observer}); closed with the canary. */
    Consumer<String, byte[]> canaryObserver();

    /**
     * Where the canary's logs are read back from after the drain, on clients of their own
     * ({@code read-back} in the verdict); null: they are not read back.
     */
    KafkaConnection readBack();

    /** Real clients on {@code kafka}. */
    static RunClients of(KafkaConnection kafka) {
        return new RunClients() {
            @Override
            public Admin admin() {
                return Clients.admin(kafka);
            }

            @Override
            public Admin watchAdmin() {
                return Clients.watchAdmin(kafka);
            }

            @Override
            public Producer<String, byte[]> producer() {
                return Clients.producer(kafka, "faultline-orchestrator");
            }

            @Override
            public Consumer<String, byte[]> telemetry() {
                return Clients.consumer(kafka, "faultline-orchestrator-telemetry");
            }

            @Override
            public Consumer<String, byte[]> halt() {
                return Clients.consumer(kafka, "faultline-orchestrator-halt");
            }

            @Override
            public Producer<String, byte[]> canaryProducer(Duration deliveryTimeout) {
                return CanaryClients.producer(kafka, deliveryTimeout);
            }

            @Override
            public Consumer<String, byte[]> canaryObserver() {
                return CanaryClients.observer(kafka);
            }

            @Override
            public KafkaConnection readBack() {
                return kafka;
            }
        };
    }
}

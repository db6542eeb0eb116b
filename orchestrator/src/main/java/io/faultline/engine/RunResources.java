package io.faultline.engine;

import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.Scenario;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients a run or a plan works through: an admin client (checked reachable when
 * opened), the producer of commands and verdicts, and the telemetry feed. Opened together, the
 * latter two when first asked for, and closed together, the last opened first.
 */
final class RunResources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunResources.class);
    private final RunOptions options;
    private final Clock clock;
    private final RunClients clients;
    private final Admin admin;
    private Producer<String, byte[]> producer;
    private TelemetryFeed telemetry;
    private final List<Admin> watchAdmins = new ArrayList<>();

    private RunResources(RunOptions options, Clock clock, RunClients clients, Admin admin) {
        this.options = options;
        this.clock = clock;
        this.clients = clients;
        this.admin = admin;
    }

    /** Connects to Kafka with real clients; throws when it cannot be reached. */
    static RunResources open(RunOptions options, Clock clock) throws InfrastructureException {
        return open(options, clock, RunClients.of(options.kafka()));
    }

    /** Connects to Kafka through {@code clients}; throws when it cannot be reached. */
    static RunResources open(RunOptions options, Clock clock, RunClients clients) throws InfrastructureException {
        Admin admin = clients.admin();
        try {
            KafkaClients.checkReachable(admin, options.bootstrapServers(), Duration.ofSeconds(15));
        } catch (InfrastructureException | RuntimeException e) {
            admin.close();
            throw e;
        }
        return new RunResources(options, clock, clients, admin);
    }

    Admin admin() {
        return admin;
    }

    /** Creates what a run of {@code scenario} needs and does not exist yet: Faultline's topics, the canary's. */
    void ensureTopics(Scenario scenario) throws InfrastructureException {
        KafkaClients.ensureFaultlineTopics(admin, options.topics());
        KafkaClients.ensureCanaryTopics(scenario.canary(), admin);
    }

    /** Publishes {@code verdict} on the verdicts topic, keyed by its run; says so in the log when it cannot. */
    void publishVerdict(Verdict verdict) {
        String topic = options.topics().verdicts();
        try {
            producer().send(new ProducerRecord<>(topic, verdict.runId(), Json.encode(verdict))).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.error("cannot publish the verdict to {}: {}", topic, e.getCause() != null ? e.getCause().getMessage() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * An admin client of its own for one cluster watch ({@link RunClients#watchAdmin}), closed with
     * the rest: a watch stuck on a frozen group coordinator does not hold up one reading leaders.
     */
    synchronized Admin watchAdmin() {
        Admin a = clients.watchAdmin();
        watchAdmins.add(a);
        return a;
    }

    /** The clients the run's other readers are made from (the halt watch's consumer). */
    RunClients clients() {
        return clients;
    }

    synchronized Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = clients.producer();
        }
        return producer;
    }

    synchronized TelemetryFeed telemetry() {
        if (telemetry == null) {
            telemetry = new TelemetryFeed(clients.telemetry(), options.topics().telemetry(), clock,
                    options.heartbeatMaxAge(), TelemetryGate.of(options.agentKeys()));
        }
        return telemetry;
    }

    @Override
    public synchronized void close() {
        try {
            if (telemetry != null) {
                telemetry.close();
            }
        } finally {
            try {
                if (producer != null) {
                    producer.close();
                }
            } finally {
                watchAdmins.stream().filter(a -> a != admin).forEach(Admin::close);
                admin.close();
            }
        }
    }
}

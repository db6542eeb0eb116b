package io.faultline.engine;

import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The Kafka clients a run or a plan works through: an admin client (checked reachable when
 * opened), the producer of commands and verdicts, and the telemetry feed. Opened together, the
 * latter two when first asked for, and closed together, the last opened first.
 */
final class RunResources implements AutoCloseable {
    private final GameDay.Options options;
    private final Clock clock;
    private final Admin admin;
    private KafkaProducer<String, byte[]> producer;
    private TelemetryFeed telemetry;

    private RunResources(GameDay.Options options, Clock clock, Admin admin) {
        this.options = options;
        this.clock = clock;
        this.admin = admin;
    }

    /** Connects to Kafka; throws when it cannot be reached. */
    static RunResources open(GameDay.Options options, Clock clock) throws InfrastructureException {
        Admin admin = KafkaClients.admin(options.kafka());
        try {
            KafkaClients.checkReachable(admin, options.bootstrapServers(), Duration.ofSeconds(15));
        } catch (InfrastructureException | RuntimeException e) {
            admin.close();
            throw e;
        }
        return new RunResources(options, clock, admin);
    }

    Admin admin() {
        return admin;
    }

    synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = KafkaClients.producer(options.kafka(), "faultline-orchestrator");
        }
        return producer;
    }

    synchronized TelemetryFeed telemetry() {
        if (telemetry == null) {
            telemetry = new TelemetryFeed(options.kafka(), options.topics().telemetry(), clock,
                    options.heartbeatMaxAge());
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
                admin.close();
            }
        }
    }
}

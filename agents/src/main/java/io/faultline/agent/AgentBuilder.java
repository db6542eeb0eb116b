package io.faultline.agent;

import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.HostCapabilities;
import io.faultline.protocol.TelemetrySigner;
import io.faultline.time.Scheduler;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * What an agent is built from. The command line hands in the drivers and the host's
 * capabilities and gets real Kafka clients and a scheduler on the system clock; a test hands in
 * kafka-clients' mocks and a scheduler it drives by hand.
 */
public final class AgentBuilder {
    final AgentConfig config;
    Clock clock = Clock.systemUTC();
    Scheduler scheduler;
    AgentClients clients;
    List<FaultDriver<?>> drivers = List.of();
    HostCapabilities host = HostCapabilities.none();
    DriverCalls calls;
    TelemetrySigner signer;

    AgentBuilder(AgentConfig config) {
        this.config = config;
    }

    /** The clock of the scheduler the agent makes itself (ignored with {@link #scheduler}). */
    public AgentBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Where every fault's life runs (apply, renew, undo, lease) and every timestamp comes from. */
    public AgentBuilder scheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /** The agent's Kafka clients; {@link AgentClients#kafka} by default. */
    public AgentBuilder clients(AgentClients clients) {
        this.clients = clients;
        return this;
    }

    public AgentBuilder drivers(List<FaultDriver<?>> drivers) {
        this.drivers = List.copyOf(drivers);
        return this;
    }

    /** What the host lets this agent do, beyond having a driver. */
    public AgentBuilder host(HostCapabilities host) {
        this.host = host;
        return this;
    }

    /** Where driver calls run and how long they may take; a pool with {@link Agent#DRIVER_DEADLINE} by default. */
    AgentBuilder driverCalls(DriverCalls calls) {
        this.calls = calls;
        return this;
    }

    /**
     * The key the agent signs its telemetry with ({@code --telemetry-key}); by default its own,
     * made at first start in the state directory ({@link TelemetryKey}).
     */
    public AgentBuilder telemetrySigner(TelemetrySigner signer) {
        this.signer = signer;
        return this;
    }

    /** @throws IOException if the state directory cannot be used (or another agent holds it) */
    public Agent build() throws IOException {
        return new Agent(this);
    }
}

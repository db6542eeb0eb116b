package io.faultline.agent;

import io.faultline.agent.driver.FaultException;
import io.faultline.protocol.CheckCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Durations;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Answers a check command: what applying the fault would touch, as the driver previews it,
 * without applying anything. Holds no fault state; the call goes out through {@link DriverCalls}.
 */
final class DryRun {
    private final String agentId;
    private final DriverRegistry drivers;
    private final Scheduler scheduler;
    private final DriverCalls calls;
    private final Consumer<TelemetryEvent> events;

    DryRun(String agentId, DriverRegistry drivers, Scheduler scheduler, DriverCalls calls,
           Consumer<TelemetryEvent> events) {
        this.agentId = agentId;
        this.drivers = drivers;
        this.scheduler = scheduler;
        this.calls = calls;
        this.events = events;
    }

    private Instant now() {
        return scheduler.clock().instant();
    }

    /** A dry run: the driver's preview of what applying would touch. */
    void check(CheckCommand check) {
        calls.run("check " + check.commandId() + " (" + check.fault().type() + ")", () -> drivers.preview(check.fault()),
                new DriverCalls.Outcome<>() {
            @Override
            public void done(String preview) {
                events.accept(CommandEvent.checked(agentId, now(), check, "would apply " + check.fault().type()
                        + " with lease " + Durations.format(check.lease())
                        + " (signature, policy and capabilities checked)" + (preview == null ? "" : "; " + preview)));
            }

            @Override
            public void failed(Exception e) {
                events.accept(CommandEvent.failed(agentId, now(), check, "would fail: " + e.getMessage()));
            }

            @Override
            public void timedOut(Duration deadline) {
                failed(new FaultException("the driver did not answer within " + Durations.format(deadline)));
            }
        });
    }
}

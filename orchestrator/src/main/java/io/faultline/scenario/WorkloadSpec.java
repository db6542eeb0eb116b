package io.faultline.scenario;

import io.faultline.protocol.Checks;

/** The traffic that runs through the system under test during a game-day. */
public record WorkloadSpec(CanarySpec canary) {
    public WorkloadSpec {
        Checks.required("canary", canary);
    }
}

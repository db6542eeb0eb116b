package io.faultline.protocol;

import java.time.Duration;
import java.util.List;

/**
 * Deletes pods, as a node failure or an eviction would; their controller starts new ones.
 * Nothing to undo. Run by a cluster agent.
 *
 * @param gracePeriod how long the pods get to stop (0: at once, like SIGKILL); null for the pod's own
 */
public record PodKillFault(PodSelection pods, Duration gracePeriod) implements FaultSpec {
    public static final String TYPE = "k8s.pod.kill";

    public PodKillFault {
        Checks.required("pods", pods);
        if (gracePeriod != null) {
            Checks.notNegative("gracePeriod", gracePeriod);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of(Capability.KUBERNETES);
    }

    @Override
    public boolean healRestores() {
        return false;
    }
}

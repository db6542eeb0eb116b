package io.faultline.protocol;

import java.util.List;

/**
 * Makes pods unavailable until heal: the owning Deployment or StatefulSet is scaled down by the
 * number of selected pods and scaled back to its replica count on undo. Run by a cluster agent.
 */
public record PodFailureFault(PodSelection pods) implements FaultSpec {
    public static final String TYPE = "k8s.pod.failure";

    public PodFailureFault {
        Checks.required("pods", pods);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of(Capability.KUBERNETES);
    }
}

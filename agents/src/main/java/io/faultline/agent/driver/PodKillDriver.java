package io.faultline.agent.driver;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.protocol.PodKillFault;
import java.util.List;
import java.util.Random;

/**
 * Executes {@code k8s.pod.kill}: deletes the selected pods (with the fault's grace period). Their
 * controller replaces them, so there is nothing to undo.
 */
public final class PodKillDriver implements FaultDriver<PodKillFault> {
    private final KubernetesClient client;
    private final PodSelector selector;

    public PodKillDriver(KubernetesClient client, Random random) {
        this.client = client;
        this.selector = new PodSelector(client, random);
    }

    @Override
    public Class<PodKillFault> faultClass() {
        return PodKillFault.class;
    }

    @Override
    public String faultType() {
        return PodKillFault.TYPE;
    }

    @Override
    public Applied apply(String commandId, PodKillFault fault) throws FaultException {
        String ns = fault.pods().namespace();
        List<Pod> matching = selector.matching(fault.pods());
        List<Pod> chosen = selector.pick(fault.pods());
        for (Pod p : chosen) {
            try {
                var pod = client.pods().inNamespace(ns).withName(p.getMetadata().getName());
                if (fault.gracePeriod() != null) {
                    pod.withGracePeriod(fault.gracePeriod().toSeconds()).delete();
                } else {
                    pod.delete();
                }
            } catch (KubernetesClientException e) {
                throw PodSelector.denied(e, "delete pods", ns);
            }
        }
        String detail = "deleted pods " + PodSelector.names(chosen) + " in " + ns + " (" + chosen.size() + " of "
                + matching.size() + " matching " + PodSelector.describe(fault.pods()) + ", mode "
                + fault.pods().mode().wireName() + (fault.gracePeriod() == null ? "" : ", grace "
                + fault.gracePeriod().toSeconds() + "s") + ")";
        return new Applied() {
            @Override
            public String detail() {
                return detail;
            }

            @Override
            public String undo() {
                return "nothing to undo: deleted pods are replaced by their controller";
            }
        };
    }

    @Override
    public String recover(String commandId, PodKillFault fault) {
        return "nothing to undo: deleted pods are replaced by their controller";
    }

    @Override
    public String preview(PodKillFault fault) throws FaultException {
        List<Pod> matching = selector.matching(fault.pods());
        return "would delete " + fault.pods().count(matching.size()) + " of " + matching.size() + " matching pods "
                + PodSelector.names(matching);
    }
}

package io.faultline.agent.driver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.protocol.PodFailureFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Executes {@code k8s.pod.failure}: scales the Deployment or StatefulSet owning the selected pods
 * down by their number, and back to its replica count on undo. The workload is annotated with
 * the command id and the replica count to restore, so an agent that was killed restores it at
 * its next start.
 */
public final class PodFailureDriver implements FaultDriver<PodFailureFault> {
    static final String COMMAND = "faultline.io/command";
    static final String REPLICAS = "faultline.io/scaled-from";

    private final KubernetesClient client;
    private final PodSelector selector;

    public PodFailureDriver(KubernetesClient client, Random random) {
        this.client = client;
        this.selector = new PodSelector(client, random);
    }

    @Override
    public Class<PodFailureFault> faultClass() {
        return PodFailureFault.class;
    }

    @Override
    public String faultType() {
        return PodFailureFault.TYPE;
    }

    /** A workload that owns pods: its kind and name. */
    record Workload(String kind, String name) {
    }

    @Override
    public Applied apply(String commandId, PodFailureFault fault) throws FaultException {
        String ns = fault.pods().namespace();
        List<Pod> chosen = selector.pick(fault.pods());
        Map<Workload, List<String>> byOwner = new LinkedHashMap<>();
        for (Pod p : chosen) {
            byOwner.computeIfAbsent(owner(ns, p), w -> new ArrayList<>()).add(p.getMetadata().getName());
        }
        List<String> done = new ArrayList<>();
        List<Workload> scaled = new ArrayList<>();
        try {
            for (var e : byOwner.entrySet()) {
                int from = replicas(ns, e.getKey());
                int to = Math.max(0, from - e.getValue().size());
                scale(ns, e.getKey(), to, Map.of(COMMAND, commandId, REPLICAS, Integer.toString(from)));
                scaled.add(e.getKey());
                done.add(e.getKey().kind().toLowerCase() + " " + e.getKey().name() + " from " + from + " to " + to
                        + " (pods " + e.getValue() + ")");
            }
        } catch (FaultException e) {
            for (Workload w : scaled) {
                restoreQuietly(ns, w);
            }
            throw e;
        }
        String detail = "scaled " + String.join("; ", done) + " in " + ns;
        return Applied.of(detail, () -> {
            List<String> restored = new ArrayList<>();
            for (Workload w : scaled) {
                restored.add(restore(ns, w));
            }
            return "restored " + String.join("; ", restored) + " in " + ns;
        });
    }

    @Override
    public String recover(String commandId, PodFailureFault fault) throws FaultException {
        String ns = fault.pods().namespace();
        List<String> restored = new ArrayList<>();
        try {
            for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
                if (commandId.equals(annotation(d, COMMAND))) {
                    restored.add(restore(ns, new Workload("Deployment", d.getMetadata().getName())));
                }
            }
            for (StatefulSet s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
                if (commandId.equals(annotation(s, COMMAND))) {
                    restored.add(restore(ns, new Workload("StatefulSet", s.getMetadata().getName())));
                }
            }
        } catch (KubernetesClientException e) {
            throw PodSelector.denied(e, "list workloads", ns);
        }
        return restored.isEmpty() ? "nothing to undo: no workload carries " + COMMAND + "=" + commandId
                : "restored " + String.join("; ", restored) + " in " + ns;
    }

    @Override
    public String preview(PodFailureFault fault) throws FaultException {
        List<Pod> matching = selector.matching(fault.pods());
        List<String> owners = new ArrayList<>();
        for (Pod p : matching) {
            Workload w = owner(fault.pods().namespace(), p);
            owners.add(w.kind() + "/" + w.name());
        }
        return "would scale down " + new TreeSet<>(owners) + " by " + fault.pods().count(matching.size())
                + " of " + matching.size() + " matching pods " + PodSelector.names(matching);
    }

    private Workload owner(String ns, Pod pod) throws FaultException {
        OwnerReference ref = controller(pod);
        try {
            if (ref != null && ref.getKind().equals("ReplicaSet")) {
                ReplicaSet rs = client.apps().replicaSets().inNamespace(ns).withName(ref.getName()).get();
                OwnerReference top = rs == null ? null : controller(rs);
                if (top != null && top.getKind().equals("Deployment")) {
                    return new Workload("Deployment", top.getName());
                }
            } else if (ref != null && ref.getKind().equals("StatefulSet")) {
                return new Workload("StatefulSet", ref.getName());
            }
        } catch (KubernetesClientException e) {
            throw PodSelector.denied(e, "get replicasets", ns);
        }
        throw new FaultException("pod " + pod.getMetadata().getName() + " has no Deployment or StatefulSet to scale");
    }

    private static OwnerReference controller(HasMetadata m) {
        return m.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst().orElse(m.getMetadata().getOwnerReferences().stream().findFirst().orElse(null));
    }

    private int replicas(String ns, Workload w) throws FaultException {
        try {
            Integer r = w.kind().equals("Deployment")
                    ? client.apps().deployments().inNamespace(ns).withName(w.name()).get().getSpec().getReplicas()
                    : client.apps().statefulSets().inNamespace(ns).withName(w.name()).get().getSpec().getReplicas();
            return r == null ? 1 : r;
        } catch (KubernetesClientException e) {
            throw PodSelector.denied(e, "get " + w.kind().toLowerCase() + "s", ns);
        }
    }

    private void scale(String ns, Workload w, int replicas, Map<String, String> annotations) throws FaultException {
        try {
            if (w.kind().equals("Deployment")) {
                client.apps().deployments().inNamespace(ns).withName(w.name()).edit(d -> {
                    d.getSpec().setReplicas(replicas);
                    annotate(d, annotations);
                    return d;
                });
            } else {
                client.apps().statefulSets().inNamespace(ns).withName(w.name()).edit(s -> {
                    s.getSpec().setReplicas(replicas);
                    annotate(s, annotations);
                    return s;
                });
            }
        } catch (KubernetesClientException e) {
            throw PodSelector.denied(e, "scale " + w.kind().toLowerCase() + "s", ns);
        }
    }

    private String restore(String ns, Workload w) throws FaultException {
        HasMetadata current;
        try {
            current = w.kind().equals("Deployment") ? client.apps().deployments().inNamespace(ns).withName(w.name()).get()
                    : client.apps().statefulSets().inNamespace(ns).withName(w.name()).get();
        } catch (KubernetesClientException e) {
            throw PodSelector.denied(e, "get " + w.kind().toLowerCase() + "s", ns);
        }
        String from = current == null ? null : annotation(current, REPLICAS);
        if (from == null) {
            return w.kind().toLowerCase() + " " + w.name() + ": nothing to restore";
        }
        Map<String, String> clear = new LinkedHashMap<>();
        clear.put(COMMAND, null);
        clear.put(REPLICAS, null);
        scale(ns, w, Integer.parseInt(from), clear);
        return w.kind().toLowerCase() + " " + w.name() + " back to " + from;
    }

    private void restoreQuietly(String ns, Workload w) {
        try {
            restore(ns, w);
        } catch (FaultException e) {
            // Reported by the failure that got us here.
        }
    }

    private static String annotation(HasMetadata m, String key) {
        return m.getMetadata().getAnnotations() == null ? null : m.getMetadata().getAnnotations().get(key);
    }

    /** Sets (or, for null values, removes) annotations. */
    private static void annotate(HasMetadata m, Map<String, String> annotations) {
        if (m.getMetadata().getAnnotations() == null) {
            m.getMetadata().setAnnotations(new HashMap<>());
        }
        annotations.forEach((k, v) -> {
            if (v == null) {
                m.getMetadata().getAnnotations().remove(k);
            } else {
                m.getMetadata().getAnnotations().put(k, v);
            }
        });
    }
}

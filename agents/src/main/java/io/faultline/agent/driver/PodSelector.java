package io.faultline.agent.driver;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.protocol.PodSelection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/** Lists the pods a selection matches (not already terminating) and picks as many as its mode says, at random. */
final class PodSelector {
    private final KubernetesClient client;
    private final Random random;

    PodSelector(KubernetesClient client, Random random) {
        this.client = client;
        this.random = random;
    }

    List<Pod> matching(PodSelection s) throws FaultException {
        try {
            List<Pod> pods = new ArrayList<>(client.pods().inNamespace(s.namespace()).withLabels(s.selector()).list()
                    .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList());
            pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
            if (pods.isEmpty()) {
                throw new FaultException("no running pod in namespace " + s.namespace() + " matches " + describe(s));
            }
            return pods;
        } catch (KubernetesClientException e) {
            throw denied(e, "list pods", s.namespace());
        }
    }

    List<Pod> pick(PodSelection s) throws FaultException {
        List<Pod> all = matching(s);
        List<Pod> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, random);
        List<Pod> chosen = new ArrayList<>(shuffled.subList(0, s.count(all.size())));
        chosen.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        return chosen;
    }

    static String describe(PodSelection s) {
        return s.selector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                .collect(Collectors.joining(","));
    }

    static String names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A readable reason for an API error; RBAC denials say which permission is missing. */
    static FaultException denied(KubernetesClientException e, String verb, String namespace) {
        if (e.getCode() == 403) {
            return new FaultException("forbidden: the cluster agent's service account may not " + verb + " in namespace "
                    + namespace + " (grant it with the chart's rbac settings)");
        }
        return new FaultException("kubernetes: cannot " + verb + " in namespace " + namespace + ": "
                + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage()));
    }
}

package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.faultline.protocol.PodFailureFault;
import io.faultline.protocol.PodKillFault;
import io.faultline.protocol.PodSelection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pod faults against fabric8's mock API server in CRUD mode (no cluster can run here). */
@EnableKubernetesMockClient(crud = true)
class PodDriversTest {
    static KubernetesClient client;

    private static final Map<String, String> ORDERS = Map.of("app", "orders");

    @BeforeEach
    void cluster() {
        client.pods().inAnyNamespace().delete();
        client.apps().deployments().inAnyNamespace().delete();
        client.apps().replicaSets().inAnyNamespace().delete();
        client.apps().statefulSets().inAnyNamespace().delete();
        client.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata().withName("orders")
                .endMetadata().withNewSpec().withReplicas(4).endSpec().build()).create();
        client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("orders-7c9").withOwnerReferences(new OwnerReferenceBuilder().withKind("Deployment")
                        .withName("orders").withController(true).build()).endMetadata().build()).create();
        for (int i = 1; i <= 4; i++) {
            pod("shop", "orders-7c9-" + i, ORDERS, "ReplicaSet", "orders-7c9");
        }
        pod("shop", "payments-1", Map.of("app", "payments"), "ReplicaSet", "payments-1");
        pod("other", "orders-x", ORDERS, "ReplicaSet", "elsewhere");
    }

    private static void pod(String ns, String name, Map<String, String> labels, String ownerKind, String owner) {
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder().withKind(ownerKind).withName(owner).withController(true)
                        .build()).endMetadata().build()).create();
    }

    private static List<String> pods(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream().map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static PodSelection orders(PodSelection.Mode mode, Integer value) {
        return new PodSelection("shop", ORDERS, mode, value);
    }

    @Test
    void killDeletesAsManyMatchingPodsAsTheModeSaysAndNothingElse() throws Exception {
        PodKillDriver driver = new PodKillDriver(client, new Random(7));
        FaultDriver.Applied one = driver.apply("c-1", new PodKillFault(orders(PodSelection.Mode.ONE, null), null));
        assertThat(pods("shop")).hasSize(4).contains("payments-1");
        assertThat(one.detail()).startsWith("deleted pods [orders-7c9-").contains("1 of 4 matching app=orders, mode one");
        assertThat(pods("other")).containsExactly("orders-x");

        driver.apply("c-2", new PodKillFault(orders(PodSelection.Mode.PERCENT, 50), Duration.ofSeconds(5)));
        assertThat(pods("shop")).hasSize(2).contains("payments-1");
        driver.apply("c-3", new PodKillFault(orders(PodSelection.Mode.FIXED, 5), Duration.ZERO));
        assertThat(pods("shop")).containsExactly("payments-1");
        assertThat(one.undo()).startsWith("nothing to undo");
        assertThatThrownBy(() -> driver.apply("c-4", new PodKillFault(orders(PodSelection.Mode.ALL, null), null)))
                .hasMessage("no running pod in namespace shop matches app=orders");
    }

    @Test
    void allModeAndGracePeriodAreReported() throws Exception {
        FaultDriver.Applied all = new PodKillDriver(client, new Random(1))
                .apply("c-1", new PodKillFault(orders(PodSelection.Mode.ALL, null), Duration.ofSeconds(30)));
        assertThat(all.detail()).isEqualTo("deleted pods [orders-7c9-1, orders-7c9-2, orders-7c9-3, orders-7c9-4] in shop "
                + "(4 of 4 matching app=orders, mode all, grace 30s)");
        assertThat(pods("shop")).containsExactly("payments-1");
    }

    @Test
    void failureScalesTheOwningDeploymentDownAndUndoScalesItBack() throws Exception {
        PodFailureDriver driver = new PodFailureDriver(client, new Random(3));
        FaultDriver.Applied applied = driver.apply("c-9", new PodFailureFault(orders(PodSelection.Mode.FIXED, 3)));
        assertThat(applied.detail()).startsWith("scaled deployment orders from 4 to 1 (pods [");
        var d = client.apps().deployments().inNamespace("shop").withName("orders").get();
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getMetadata().getAnnotations()).containsEntry("faultline.io/command", "c-9")
                .containsEntry("faultline.io/scaled-from", "4");

        assertThat(applied.undo()).isEqualTo("restored deployment orders back to 4 in shop");
        d = client.apps().deployments().inNamespace("shop").withName("orders").get();
        assertThat(d.getSpec().getReplicas()).isEqualTo(4);
        assertThat(d.getMetadata().getAnnotations()).doesNotContainKeys("faultline.io/command", "faultline.io/scaled-from");
    }

    @Test
    void aKilledAgentRestoresTheWorkloadFromItsAnnotationsAtRestart() throws Exception {
        PodFailureFault fault = new PodFailureFault(orders(PodSelection.Mode.ALL, null));
        new PodFailureDriver(client, new Random(3)).apply("c-lost", fault);
        assertThat(client.apps().deployments().inNamespace("shop").withName("orders").get().getSpec().getReplicas()).isZero();
        // A new agent knows only the journal's command id and spec.
        assertThat(new PodFailureDriver(client, new Random()).recover("c-lost", fault))
                .isEqualTo("restored deployment orders back to 4 in shop");
        assertThat(client.apps().deployments().inNamespace("shop").withName("orders").get().getSpec().getReplicas()).isEqualTo(4);
        assertThat(new PodFailureDriver(client, new Random()).recover("c-lost", fault)).startsWith("nothing to undo");
    }

    @Test
    void failureScalesStatefulSetsAndRefusesPodsWithoutAWorkload() throws Exception {
        client.apps().statefulSets().inNamespace("db").resource(new StatefulSetBuilder().withNewMetadata().withName("pg")
                .endMetadata().withNewSpec().withReplicas(3).endSpec().build()).create();
        for (int i = 0; i < 3; i++) {
            pod("db", "pg-" + i, Map.of("app", "pg"), "StatefulSet", "pg");
        }
        FaultDriver.Applied applied = new PodFailureDriver(client, new Random(1))
                .apply("c-1", new PodFailureFault(new PodSelection("db", Map.of("app", "pg"), PodSelection.Mode.ONE, null)));
        assertThat(client.apps().statefulSets().inNamespace("db").withName("pg").get().getSpec().getReplicas()).isEqualTo(2);
        applied.undo();
        assertThat(client.apps().statefulSets().inNamespace("db").withName("pg").get().getSpec().getReplicas()).isEqualTo(3);

        client.pods().inNamespace("db").resource(new PodBuilder().withNewMetadata().withName("loner")
                .withLabels(Map.of("app", "loner")).endMetadata().build()).create();
        assertThatThrownBy(() -> new PodFailureDriver(client, new Random()).apply("c-2", new PodFailureFault(
                new PodSelection("db", Map.of("app", "loner"), null, null))))
                .hasMessage("pod loner has no Deployment or StatefulSet to scale");
    }

    @Test
    void aDryRunNamesWhatWouldBeTouchedAndChangesNothing() throws Exception {
        assertThat(new PodKillDriver(client, new Random()).preview(new PodKillFault(orders(PodSelection.Mode.PERCENT, 50), null)))
                .isEqualTo("would delete 2 of 4 matching pods [orders-7c9-1, orders-7c9-2, orders-7c9-3, orders-7c9-4]");
        assertThat(new PodFailureDriver(client, new Random()).preview(new PodFailureFault(orders(PodSelection.Mode.ONE, null))))
                .startsWith("would scale down [Deployment/orders] by 1 of 4");
        assertThat(pods("shop")).hasSize(5);
        assertThat(client.apps().deployments().inNamespace("shop").withName("orders").get().getSpec().getReplicas()).isEqualTo(4);
    }

}

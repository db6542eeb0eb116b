package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.faultline.protocol.PodKillFault;
import io.faultline.protocol.PodSelection;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the API server answers when RBAC denies the cluster agent, as a clear rejection. */
@EnableKubernetesMockClient
class PodRbacTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void aForbiddenDeleteSaysWhichPermissionIsMissing() {
        server.expect().get().withPath("/api/v1/namespaces/shop/pods?labelSelector=app%3Dorders")
                .andReturn(200, new PodListBuilder().addToItems(new PodBuilder().withNewMetadata().withName("orders-1")
                        .withNamespace("shop").endMetadata().build()).build()).always();
        server.expect().delete().withPath("/api/v1/namespaces/shop/pods/orders-1")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(
                        "pods \"orders-1\" is forbidden: User \"system:serviceaccount:faultline:cluster-agent\" cannot delete "
                                + "resource \"pods\" in API group \"\" in the namespace \"shop\"").build()).always();
        assertThatThrownBy(() -> new PodKillDriver(client, new Random()).apply("c-1",
                new PodKillFault(new PodSelection("shop", Map.of("app", "orders"), null, null), null)))
                .isInstanceOf(FaultException.class)
                .hasMessage("forbidden: the cluster agent's service account may not delete pods in namespace shop "
                        + "(grant it with the chart's rbac settings)");
    }

    @Test
    void aForbiddenListIsReportedTheSameWay() {
        server.expect().get().withPath("/api/v1/namespaces/bank/pods?labelSelector=app%3Dledger")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").build()).always();
        assertThatThrownBy(() -> new PodKillDriver(client, new Random()).apply("c-1",
                new PodKillFault(new PodSelection("bank", Map.of("app", "ledger"), null, null), null)))
                .hasMessageStartingWith("forbidden: the cluster agent's service account may not list pods in namespace bank");
    }
}

package io.faultline.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.faultline.agent.policy.AgentPolicy;
import io.faultline.agent.policy.PolicyFile;
import io.faultline.protocol.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** The chart rendered with helm-java for several sets of values, and the manifests checked with fabric8's model. */
class ChartTest {
    private static final Path CHART = Path.of("..", "charts", "faultline");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final KeyPair KEYS = KeyFiles.newKeyPair();

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static List<HasMetadata> render(UnaryOperator<TemplateCommand> values) {
        TemplateCommand t = new Helm(CHART).template().withName("fl").withNamespace("faultline")
                .set("kafka.bootstrapServers", "kafka.kafka:9092").set("signing.keyId", "ops")
                .set("signing.privateKey", pem("PRIVATE KEY", KEYS.getPrivate().getEncoded()))
                .set("signing.publicKey", pem("PUBLIC KEY", KEYS.getPublic().getEncoded()));
        String out = values.apply(t).call();
        List<HasMetadata> docs = new ArrayList<>();
        for (String doc : out.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
                docs.add(YAML.unmarshal(doc));
            }
        }
        return docs;
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> docs, Class<T> type) {
        return docs.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> docs, Class<T> type, String nameSuffix) {
        return all(docs, type).stream().filter(d -> d.getMetadata().getName().endsWith(nameSuffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " *" + nameSuffix));
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> out = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            out.put(e.getName(), e.getValue() != null ? e.getValue() : e.getValueFrom().getFieldRef() != null
                    ? e.getValueFrom().getFieldRef().getFieldPath()
                    : "secret:" + e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey());
        }
        return out;
    }

    @Test
    void lintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultsInstallTheOrchestratorAndTheClusterAgentWithRestrictedContainers() {
        List<HasMetadata> docs = render(t -> t);
        assertThat(all(docs, CronJob.class)).isEmpty();
        assertThat(all(docs, DaemonSet.class)).isEmpty();
        assertThat(all(docs, Role.class)).isEmpty();

        Deployment agent = one(docs, Deployment.class, "-cluster-agent");
        Container c = agent.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getArgs()).containsSubsequence("agent", "--kubernetes").containsSubsequence("--public-key",
                "/etc/faultline/keys/ops.pub").containsSubsequence("--policy", "/etc/faultline/policy/policy.yaml");
        assertThat(env(c)).containsEntry("FAULTLINE_BOOTSTRAP_SERVERS", "kafka.kafka:9092")
                .containsEntry("POD_NAMESPACE", "metadata.namespace").doesNotContainKey("FAULTLINE_SIGNING_KEY");
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(agent.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        // The cluster agent gets the public key only.
        assertThat(agent.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("keys"))
                .singleElement().satisfies(v -> assertThat(v.getSecret().getItems()).extracting(i -> i.getKey())
                        .containsExactly("ops.pub"));

        Deployment orchestrator = one(docs, Deployment.class, "-orchestrator");
        Container o = orchestrator.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(o.getArgs()).startsWith("alert-bridge", "--listen", "0.0.0.0:9095");
        assertThat(env(o)).containsEntry("FAULTLINE_SIGNING_KEY", "/etc/faultline/keys/ops.key");
        // The alert bridge requires a bearer token: a random one the chart made, unless a Secret is named.
        String tokenSecret = env(o).get("FAULTLINE_WEBHOOK_TOKEN");
        assertThat(tokenSecret).startsWith("secret:").endsWith("-webhook-token/token");
        Secret token = one(docs, Secret.class, "-webhook-token");
        assertThat(Base64.getDecoder().decode(token.getData().get("token"))).hasSize(40);

        Secret keys = one(docs, Secret.class, "-keys");
        assertThat(new String(Base64.getDecoder().decode(keys.getData().get("ops.pub")), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN PUBLIC KEY-----");
        ConfigMap policy = one(docs, ConfigMap.class, "-cluster-agent-policy");
        assertThat(policy.getData().get("policy.yaml")).contains("faults: [k8s.pod.kill, k8s.pod.failure]",
                "namespaces: []");
    }

    @Test
    void eachScheduledGameDayIsACronJobWhoseExitCodeIsTheVerdict() {
        List<HasMetadata> docs = render(t -> t.set("gameDays[0].name", "nightly").set("gameDays[0].schedule", "0 3 * * *")
                .set("gameDays[0].scenario", "pod-kill.yaml").set("gameDays[1].name", "weekly")
                .set("gameDays[1].schedule", "0 4 * * 0").set("gameDays[1].scenario", "network-partition.yaml")
                .set("gameDays[1].args[0]", "--agent-wait").set("gameDays[1].args[1]", "30s"));
        List<CronJob> jobs = all(docs, CronJob.class);
        assertThat(jobs).extracting(j -> j.getMetadata().getName()).containsExactly("fl-faultline-nightly", "fl-faultline-weekly");
        CronJob nightly = jobs.get(0);
        assertThat(nightly.getSpec().getSchedule()).isEqualTo("0 3 * * *");
        assertThat(nightly.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        assertThat(nightly.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isZero();
        var pod = nightly.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        Container c = pod.getContainers().get(0);
        assertThat(c.getArgs()).startsWith("run", "/etc/faultline/scenarios/pod-kill.yaml");
        assertThat(env(c)).containsEntry("FAULTLINE_SIGNING_KEY", "/etc/faultline/keys/ops.key")
                .containsEntry("FAULTLINE_BOOTSTRAP_SERVERS", "kafka.kafka:9092");
        assertThat(jobs.get(1).getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .endsWith("--agent-wait", "30s");
    }

    @Test
    void everyPodTakesTheClustersSchedulingAndGameDayJobsAreBounded() {
        List<HasMetadata> docs = render(t -> t.set("gameDays[0].name", "nightly").set("gameDays[0].schedule", "0 3 * * *")
                .set("gameDays[0].scenario", "pod-kill.yaml").set("agent.daemonSet.enabled", "true")
                .set("imagePullSecrets[0].name", "registry").set("podAnnotations.team", "sre")
                .set("scheduling.nodeSelector.pool", "infra").set("scheduling.tolerations[0].key", "dedicated")
                .set("scheduling.tolerations[0].operator", "Exists").set("scheduling.priorityClassName", "high"));
        List<PodTemplateSpec> pods = new ArrayList<>();
        all(docs, Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
        all(docs, DaemonSet.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
        all(docs, CronJob.class).forEach(j -> pods.add(j.getSpec().getJobTemplate().getSpec().getTemplate()));
        assertThat(pods).hasSizeGreaterThanOrEqualTo(5).allSatisfy(p -> {
            assertThat(p.getMetadata().getAnnotations()).containsEntry("team", "sre");
            assertThat(p.getSpec().getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("registry");
            assertThat(p.getSpec().getNodeSelector()).containsEntry("pool", "infra");
            assertThat(p.getSpec().getTolerations()).extracting(x -> x.getKey()).containsExactly("dedicated");
            assertThat(p.getSpec().getPriorityClassName()).isEqualTo("high");
        });
        // A node agent carries its node's address, as groups report their members' hosts.
        Container node = all(docs, DaemonSet.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(node.getArgs()).containsSequence("--label", "host=$(NODE_IP)");
        assertThat(node.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("NODE_IP"));
        var job = all(docs, CronJob.class).get(0).getSpec().getJobTemplate().getSpec();
        assertThat(job.getActiveDeadlineSeconds()).isEqualTo(3600L);
        assertThat(job.getTtlSecondsAfterFinished()).isEqualTo(86400);
        assertThat(job.getTemplate().getSpec().getContainers().get(0).getResources().getLimits()).containsKey("memory");
        // Without those values nothing of them is rendered.
        var plain = all(render(t -> t), Deployment.class).get(0).getSpec()
                .getTemplate().getSpec();
        assertThat(plain.getNodeSelector()).isNullOrEmpty();
        assertThat(plain.getTolerations()).isNullOrEmpty();
    }

    @Test
    void reportsGoWithThePodUnlessPersistenceKeepsThemOnAClaim() {
        UnaryOperator<TemplateCommand> nightly = t -> t.set("gameDays[0].name", "nightly")
                .set("gameDays[0].schedule", "0 3 * * *").set("gameDays[0].scenario", "pod-kill.yaml");
        Function<List<HasMetadata>, Volume> runs = docs ->
                all(docs, CronJob.class).get(0).getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getVolumes()
                        .stream().filter(v -> v.getName().equals("runs")).findFirst().orElseThrow();

        List<HasMetadata> plain = render(nightly);
        assertThat(runs.apply(plain).getEmptyDir()).isNotNull();
        assertThat(all(plain, PersistentVolumeClaim.class)).isEmpty();

        List<HasMetadata> kept = render(t -> nightly.apply(t).set("reports.persistence.enabled", "true")
                .set("reports.persistence.size", "20Gi").set("reports.persistence.storageClass", "standard"));
        var claim = one(kept, PersistentVolumeClaim.class, "-reports");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("standard");
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(runs.apply(kept).getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());

        List<HasMetadata> shared = render(t -> nightly.apply(t).set("reports.persistence.enabled", "true")
                .set("reports.persistence.existingClaim", "gameday-share"));
        assertThat(all(shared, PersistentVolumeClaim.class)).isEmpty();
        assertThat(runs.apply(shared).getPersistentVolumeClaim().getClaimName()).isEqualTo("gameday-share");
    }

    @Test
    void rbacGrantsExactlyWhatPodFaultsNeedInTheAllowedNamespacesOnly() {
        List<HasMetadata> docs = render(t -> t.set("rbac.namespaces[0]", "shop").set("rbac.namespaces[1]", "payments"));
        List<Role> roles = all(docs, Role.class);
        assertThat(roles).extracting(r -> r.getMetadata().getNamespace()).containsExactly("shop", "payments");
        for (Role r : roles) {
            assertThat(r.getRules()).extracting(PolicyRule::getApiGroups, PolicyRule::getResources, PolicyRule::getVerbs)
                    .containsExactly(
                            Tuple.tuple(List.of(""), List.of("pods"), List.of("get", "list", "delete")),
                            Tuple.tuple(List.of("apps"), List.of("replicasets"), List.of("get", "list")),
                            Tuple.tuple(List.of("apps"), List.of("deployments", "statefulsets"),
                                    List.of("get", "list", "update", "patch")));
        }
        RoleBinding binding = all(docs, RoleBinding.class).get(0);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("fl-faultline");
            assertThat(s.getNamespace()).isEqualTo("faultline");
        });
        assertThat(one(docs, ConfigMap.class, "-cluster-agent-policy").getData().get("policy.yaml"))
                .contains("namespaces: [\"shop\",\"payments\"]");
        assertThat(all(docs, ClusterRole.class)).isEmpty();
    }

    @Test
    void theExporterServesVerdictMetricsOnAnAnnotatedService() {
        List<HasMetadata> docs = render(t -> t);
        Deployment exporter = one(docs, Deployment.class, "exporter");
        Container c = exporter.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getArgs()).containsExactly("exporter", "--port", "9096", "--topic-prefix", "faultline.");
        assertThat(env(c)).containsKey("FAULTLINE_BOOTSTRAP_SERVERS");
        assertThat(exporter.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        Service svc = one(docs, Service.class, "exporter");
        assertThat(svc.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "9096");
        assertThat(render(t -> t.set("exporter.enabled", false))).noneMatch(d -> d.getMetadata().getName()
                .endsWith("-exporter"));
    }

    @Test
    void kafkaClientSettingsFromASecretReachEveryFaultlinePod() {
        List<HasMetadata> docs = render(t -> t.set("kafka.clientConfigSecret", "kafka-client")
                .set("agent.daemonSet.enabled", true).set("gameDays[0].name", "nightly")
                .set("gameDays[0].schedule", "0 3 * * *").set("gameDays[0].scenario", "pod-kill.yaml"));
        List<PodSpec> pods = new ArrayList<>();
        all(docs, Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
        all(docs, DaemonSet.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
        all(docs, CronJob.class).forEach(j -> pods.add(j.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()));
        assertThat(pods).hasSize(5);
        for (var pod : pods) {
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo("kafka-client");
                assertThat(v.getSecret().getSecretName()).isEqualTo("kafka-client");
            });
            Container c = pod.getContainers().get(0);
            assertThat(c.getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo("kafka-client");
                assertThat(m.getMountPath()).isEqualTo("/etc/faultline/kafka");
                assertThat(m.getReadOnly()).isTrue();
            });
            assertThat(env(c)).containsEntry("FAULTLINE_COMMAND_CONFIG", "/etc/faultline/kafka/client.properties");
        }
        List<HasMetadata> plain = render(t -> t);
        assertThat(env(one(plain, Deployment.class, "orchestrator").getSpec().getTemplate().getSpec().getContainers()
                .get(0))).doesNotContainKey("FAULTLINE_COMMAND_CONFIG");
    }

    @Test
    void aTelemetryKeySignsEveryAgentAndGameDaysBelieveOnlyWhatItSigned() {
        KeyPair fleet = KeyFiles.newKeyPair();
        UnaryOperator<TemplateCommand> nightly = t -> t.set("agent.daemonSet.enabled", true)
                .set("gameDays[0].name", "nightly").set("gameDays[0].schedule", "0 3 * * *")
                .set("gameDays[0].scenario", "pod-kill.yaml");
        List<HasMetadata> docs = render(t -> nightly.apply(t).set("telemetrySigning.keyId", "fleet-agents")
                .set("telemetrySigning.privateKey", pem("PRIVATE KEY", fleet.getPrivate().getEncoded()))
                .set("telemetrySigning.publicKey", pem("PUBLIC KEY", fleet.getPublic().getEncoded())));
        Secret secret = one(docs, Secret.class, "-telemetry-key");
        assertThat(secret.getData()).containsOnlyKeys("fleet-agents.key", "fleet-agents.pub");
        List<PodSpec> agents = List.of(all(docs, DaemonSet.class).get(0).getSpec().getTemplate().getSpec(),
                one(docs, Deployment.class, "cluster-agent").getSpec().getTemplate().getSpec());
        for (PodSpec pod : agents) {
            assertThat(pod.getContainers().get(0).getArgs()).containsSubsequence("--telemetry-key",
                    "/etc/faultline/telemetry/fleet-agents.key");
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("telemetry-key")).singleElement()
                    .satisfies(v -> assertThat(v.getSecret().getItems()).extracting(i -> i.getKey())
                            .containsExactly("fleet-agents.key"));
            assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m ->
                    assertThat(m.getMountPath()).isEqualTo("/etc/faultline/telemetry"));
        }
        PodSpec gameDay = all(docs, CronJob.class).get(0).getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(gameDay.getContainers().get(0).getArgs()).containsSubsequence("--agent-keys",
                "/etc/faultline/agent-keys");
        assertThat(gameDay.getVolumes()).filteredOn(v -> v.getName().equals("agent-keys")).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getItems()).extracting(i -> i.getKey())
                        .containsExactly("fleet-agents.pub"));

        assertThat(env(one(docs, Deployment.class, "orchestrator").getSpec().getTemplate().getSpec().getContainers()
                .get(0))).containsEntry("FAULTLINE_AGENT_KEYS", "/etc/faultline/agent-keys");
        // The alert bridge signs what it forwards with the fleet's key, so those game-days believe its alerts.
        PodSpec orchestrator = one(docs, Deployment.class, "orchestrator").getSpec().getTemplate().getSpec();
        assertThat(orchestrator.getContainers().get(0).getArgs()).startsWith("alert-bridge")
                .containsSubsequence("--telemetry-key", "/etc/faultline/telemetry/fleet-agents.key");
        assertThat(orchestrator.getVolumes()).filteredOn(v -> v.getName().equals("telemetry-key")).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getItems()).extracting(i -> i.getKey())
                        .containsExactly("fleet-agents.key"));

        // Without one, agents make their own keys and game-days check nothing.
        List<HasMetadata> plain = render(nightly);
        assertThat(all(plain, DaemonSet.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getArgs()).doesNotContain("--telemetry-key");
        assertThat(all(plain, CronJob.class).get(0).getSpec().getJobTemplate().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getArgs()).doesNotContain("--agent-keys");
        assertThat(one(plain, Deployment.class, "orchestrator").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getArgs()).doesNotContain("--telemetry-key");
    }

    @Test
    void nodeAgentsGetAPolicyThatAllowsNetworkFaultsOnTheirNodeOnly() throws Exception {
        List<HasMetadata> docs = render(t -> t.set("agent.daemonSet.enabled", true));
        DaemonSet ds = all(docs, DaemonSet.class).get(0);
        var pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getArgs()).containsSubsequence("--policy",
                "/etc/faultline/policy/policy.yaml");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("policy")).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("fl-faultline-agent-policy"));
        String text = all(docs, ConfigMap.class).stream().filter(c -> c.getMetadata().getName()
                .equals("fl-faultline-agent-policy")).findFirst().orElseThrow().getData().get("policy.yaml");
        Path file = Files.createTempFile("node-policy", ".yaml");
        Files.writeString(file, text);
        AgentPolicy policy = PolicyFile.load(file);
        assertThat(policy.faults()).containsExactlyInAnyOrder("network.partition", "network.delay", "network.loss",
                "network.bandwidth");
        assertThat(policy.service()).isFalse();
        assertThat(render(t -> t)).noneMatch(d -> d.getMetadata().getName().endsWith("-agent-policy")
                && !d.getMetadata().getName().endsWith("cluster-agent-policy"));
    }

    @Test
    void rbacOffRendersNoRolesAndTheDaemonSetAddsOnlyNetAdminAndKill() {
        List<HasMetadata> docs = render(t -> t.set("rbac.create", false).set("rbac.namespaces[0]", "shop")
                .set("agent.daemonSet.enabled", true));
        assertThat(all(docs, Role.class)).isEmpty();
        assertThat(all(docs, RoleBinding.class)).isEmpty();
        DaemonSet ds = all(docs, DaemonSet.class).get(0);
        var spec = ds.getSpec().getTemplate().getSpec();
        assertThat(spec.getHostNetwork()).isTrue();
        assertThat(spec.getHostPID()).isTrue();
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        Container c = spec.getContainers().get(0);
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN", "KILL");
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getArgs()).containsSubsequence("--label", "role=node").containsSubsequence("--public-key",
                "/etc/faultline/keys/ops.pub");
        assertThat(env(c)).containsEntry("NODE_NAME", "spec.nodeName");
    }

    @Test
    void podNetworkFaultsAddOnlyTheCapabilitiesToEnterAPodsNamespace() {
        Container c = all(render(t -> t.set("agent.daemonSet.enabled", true).set("agent.daemonSet.podNetwork", true)),
                DaemonSet.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getSecurityContext().getCapabilities().getAdd())
                .containsExactly("NET_ADMIN", "KILL", "SYS_ADMIN", "SYS_PTRACE");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }

    @Test
    void theGrafanaDashboardShipsWhenAsked() throws Exception {
        List<HasMetadata> docs = render(t -> t.set("grafanaDashboard.enabled", true));
        ConfigMap dashboard = one(docs, ConfigMap.class, "-dashboard");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData().get("faultline.json")).contains("faultline_agent_active_faults",
                "faultline_agent_rejections_total", "faultline_gameday_last_status", "faultline_gameday_failover_seconds");
        assertThat(Files.readString(CHART.resolve("dashboards/faultline.json"))).isEqualTo(dashboard.getData().get("faultline.json"));
    }

    @Test
    void refusesToRenderWithoutSigningKeys() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("fl").call())
                .hasMessageContaining("signing.privateKey (or signing.existingSecret) is required");
    }
}

package io.faultline.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.faultline.broker.EmbeddedKafka;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.clients.admin.AdminClientConfig;
import java.util.Properties;
import io.faultline.protocol.KafkaQuotaFault;
import io.faultline.protocol.KafkaMinIsrFault;
import io.faultline.agent.kafka.QuotaDriver;
import io.faultline.agent.kafka.MinIsrDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.driver.FaultDriver;
import io.faultline.cli.Faultline;
import io.faultline.cli.TestAccess;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.KafkaConnection;
import io.faultline.protocol.Topics;
import io.faultline.testkit.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Least privilege, proven on a broker with its authorizer on: the ACLs of docs/security.md are
 * granted to SCRAM principals {@code agent}, {@code operator} and {@code dashboard}; an agent
 * cannot write the commands topic, a dashboard cannot write verdicts, an operator can halt, and
 * Faultline names the topic and operation an ACL is missing for.
 */
class AclIT {
    private static final String PASSWORD = "acl-test-pw";
    private static final Topics TOPICS = Topics.defaults();
    private static EmbeddedKafka kafka;
    private static Path dir;

    @BeforeAll
    static void startABrokerWithItsAuthorizerOn() throws Exception {
        dir = Files.createTempDirectory("faultline-acl");
        kafka = EmbeddedKafka.start(dir.resolve("broker"), "127.0.0.1", 0,
                List.of(new EmbeddedKafka.Listener("SASL", "SASL_PLAINTEXT")), Map.of(
                        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                        // The broker's own traffic and the test's set-up come in on PLAINTEXT as ANONYMOUS.
                        "super.users", "User:ANONYMOUS",
                        "sasl.enabled.mechanisms", "SCRAM-SHA-256",
                        "listener.name.sasl.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"));
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (String user : List.of("agent", "operator", "dashboard", "faultline-admin", "no-alter")) {
                users.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256,
                        4096), PASSWORD));
            }
            admin.alterUserScramCredentials(List.copyOf(users)).all().get(30, TimeUnit.SECONDS);
            KafkaClients.ensureFaultlineTopics(admin, TOPICS);
            // docs/security.md, "Recommended ACLs", for the agent, the operator and the dashboard.
            List<AclBinding> acls = new ArrayList<>();
            allow(acls, "agent", ResourceType.TOPIC, TOPICS.commands(), PatternType.LITERAL, AclOperation.READ,
                    AclOperation.DESCRIBE);
            allow(acls, "agent", ResourceType.TOPIC, TOPICS.halt(), PatternType.LITERAL, AclOperation.READ,
                    AclOperation.DESCRIBE);
            allow(acls, "agent", ResourceType.TOPIC, TOPICS.telemetry(), PatternType.LITERAL, AclOperation.WRITE,
                    AclOperation.DESCRIBE);
            allow(acls, "agent", ResourceType.GROUP, "faultline.agent.", PatternType.PREFIXED, AclOperation.READ);
            allow(acls, "operator", ResourceType.TOPIC, TOPICS.halt(), PatternType.LITERAL, AclOperation.WRITE,
                    AclOperation.DESCRIBE);
            allow(acls, "dashboard", ResourceType.TOPIC, TOPICS.verdicts(), PatternType.LITERAL, AclOperation.READ,
                    AclOperation.DESCRIBE);
            // docs/faults.md, the Admin role's ACLs for kafka.min-isr (on the topic) and kafka.quota (on Cluster);
            // "no-alter" has them without AlterConfigs.
            KafkaClients.ensureTopics(admin, Map.of(GUARDED, 1));
            allow(acls, "faultline-admin", ResourceType.TOPIC, GUARDED, PatternType.LITERAL, AclOperation.DESCRIBE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
            allow(acls, "faultline-admin", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
            allow(acls, "no-alter", ResourceType.TOPIC, GUARDED, PatternType.LITERAL, AclOperation.DESCRIBE,
                    AclOperation.DESCRIBE_CONFIGS);
            allow(acls, "no-alter", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL,
                    AclOperation.DESCRIBE_CONFIGS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** A topic only the Admin role's principal may reconfigure. */
    private static final String GUARDED = "acl-guarded";

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
                              AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Path settings(String user) throws Exception {
        Path f = dir.resolve(user + ".properties");
        Files.writeString(f, String.join("\n", "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=SCRAM-SHA-256",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + PASSWORD + "\";") + "\n");
        return f;
    }

    private static KafkaConnection as(String user) throws Exception {
        return new KafkaConnection(kafka.address("SASL"), TestAccess.settings(settings(user)));
    }

    private static Throwable write(String user, String topic) throws Exception {
        try (KafkaProducer<String, byte[]> p = KafkaClients.producer(as(user), "acl-it-" + user)) {
            return catchThrowable(() -> p.send(new ProducerRecord<>(topic, "k", new byte[] {1})).get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * The authorization error behind a failed write. It comes in the send's future, or, when the
     * producer's start was refused before {@code send} was called, thrown by {@code send} itself
     * (the producer is then in an error state whose cause is the refusal).
     */
    private static Throwable refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                return t;
            }
        }
        return failure;
    }

    @Test
    void anAgentCannotWriteCommandsAndADashboardCannotWriteVerdicts() throws Exception {
        Throwable agent = write("agent", TOPICS.commands());
        assertThat(refusal(agent)).as("%s", agent).isInstanceOf(TopicAuthorizationException.class);
        // A principal with no WRITE anywhere is refused already at the idempotent producer's start.
        Throwable dashboard = write("dashboard", TOPICS.verdicts());
        assertThat(refusal(dashboard)).as("%s", dashboard).isInstanceOf(AuthorizationException.class);
        assertThat(write("agent", TOPICS.telemetry())).as("what the agent may write").isNull();
    }

    private static String[] halt(String user) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("halt", "-b", kafka.address("SASL"), "--command-config", settings(user).toString(),
                "--reason", "acl test");
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void anOperatorMayHaltAndAnAgentIsToldWhichAclItLacks() throws Exception {
        String[] operator = halt("operator");
        assertThat(operator[0]).as(operator[2]).isEqualTo("0");
        assertThat(operator[1]).contains("halt published to " + TOPICS.halt());

        String[] agent = halt("agent");
        System.out.println("halt as the agent principal: " + agent[2]);
        assertThat(agent[0]).isEqualTo("3");
        assertThat(agent[2]).contains("cannot publish the halt to faultline.halt: this principal is not allowed to write "
                + "topic faultline.halt (ACL operation WRITE on TOPIC faultline.halt");
    }

    private static Admin adminAs(String user) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newInputStream(settings(user))) {
            p.load(in);
        }
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.address("SASL"));
        return Admin.create(p);
    }

    private static String minIsr(Admin admin) throws Exception {
        return TestCluster.minIsr(admin, GUARDED);
    }

    @Test
    void theAdminRoleWithTheDocumentedAclsAppliesAndUndoesAndOneWithoutAlterConfigsIsToldWhichAclItLacks()
            throws Exception {
        Path state = Files.createTempDirectory(dir, "admin-role-");
        try (Admin superUser = KafkaClients.admin(kafka.bootstrapServers()); Admin role = adminAs("faultline-admin");
             Admin lacking = adminAs("no-alter")) {
            String before = minIsr(superUser);
            FaultDriver.Applied isr = new MinIsrDriver(role, state.resolve("isr")).apply("acl-isr",
                    new KafkaMinIsrFault(GUARDED, 1));
            assertThat(minIsr(superUser)).isEqualTo("1 (topic override)");
            isr.undo();
            assertThat(minIsr(superUser)).isEqualTo(before);

            ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "acl-producer"));
            FaultDriver.Applied quota = new QuotaDriver(role, state.resolve("quota")).apply("acl-quota",
                    new KafkaQuotaFault("acl-producer", null, 2048L, null, null));
            assertThat(superUser.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(
                    ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, "acl-producer")))).entities()
                    .get(30, TimeUnit.SECONDS)).containsEntry(entity, Map.of("producer_byte_rate", 2048.0));
            quota.undo();
            assertThat(superUser.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(
                    ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, "acl-producer")))).entities()
                    .get(30, TimeUnit.SECONDS)).doesNotContainKey(entity);

            Throwable refused = catchThrowable(() -> new MinIsrDriver(lacking, state.resolve("refused"))
                    .apply("acl-refused", new KafkaMinIsrFault(GUARDED, 1)));
            System.out.println("min-isr as a principal without AlterConfigs: " + refused.getMessage());
            assertThat(refused).isInstanceOf(FaultException.class);
            assertThat(refused.getMessage()).startsWith("setting min.insync.replicas of topic acl-guarded: not authorized:"
                    + " this principal needs the ACL AlterConfigs on TOPIC acl-guarded").endsWith("; nothing was changed")
                    .doesNotContain("Exception");
            assertThat(minIsr(superUser)).as("nothing altered").isEqualTo(before);
        }
    }
}

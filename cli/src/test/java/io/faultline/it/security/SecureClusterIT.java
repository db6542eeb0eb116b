package io.faultline.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.broker.EmbeddedKafka;
import io.faultline.cli.Faultline;
import io.faultline.cli.SchemaCheck;
import io.faultline.cli.TestAccess;
import io.faultline.demo.ChildJvm;
import io.faultline.engine.GameDay;
import io.faultline.engine.RunOptions;
import io.faultline.engine.KafkaClients;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioLoader;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.TestKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Faultline on a cluster that wants TLS and SASL: a broker with an SSL listener, a SASL_SSL
 * listener (SCRAM-SHA-256) and a mutual-TLS listener, certificates made by keytool for the test.
 * A game-day whose orchestrator and agent reach Kafka only through SASL/SCRAM over TLS passes;
 * a wrong password and an untrusted certificate fail at once with exit 3 and say which; mutual
 * TLS works with the client's certificate and is refused without it.
 */
class SecureClusterIT {
    private static final String USER = "faultline";
    private static final String SECRET = "s3cret-scram-pw";
    private static Path dir;
    private static TestCertificates certs;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startASecureBroker() throws Exception {
        dir = Files.createTempDirectory("faultline-secure");
        certs = TestCertificates.create(dir.resolve("certs"));
        Map<String, String> server = new LinkedHashMap<>();
        server.put("ssl.keystore.location", certs.brokerKeystore().toString());
        server.put("ssl.keystore.password", TestCertificates.PASSWORD);
        server.put("ssl.keystore.type", "PKCS12");
        server.put("ssl.truststore.location", certs.truststore().toString());
        server.put("ssl.truststore.password", TestCertificates.PASSWORD);
        server.put("ssl.truststore.type", "PKCS12");
        server.put("listener.name.mtls.ssl.client.auth", "required");
        server.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
        server.put("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        kafka = EmbeddedKafka.start(dir.resolve("broker"), "127.0.0.1", 0, List.of(
                new EmbeddedKafka.Listener("SSL", "SSL"), new EmbeddedKafka.Listener("SASL_SSL", "SASL_SSL"),
                new EmbeddedKafka.Listener("MTLS", "SSL")), server);
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), SECRET))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Path properties(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static Path sasl(String password, Path truststore) throws Exception {
        return properties("sasl-" + password.hashCode() + "-" + truststore.getFileName() + ".properties",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-256",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                        + "\" password=\"" + password + "\";",
                "ssl.truststore.location=" + truststore,
                "ssl.truststore.password=" + TestCertificates.PASSWORD,
                "ssl.truststore.type=PKCS12");
    }

    private record Result(int code, String out, String err, long millis) {
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString(), (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aGameDayOverSaslScramOverTlsPasses() throws Exception {
        String address = kafka.address("SASL_SSL");
        Path settings = sasl(SECRET, certs.truststore());
        Result init = cli("init", "-b", address, "--command-config", settings.toString(), "--topic-prefix", "secure.");
        System.out.print(init.out() + init.err());
        assertThat(init.code()).as(init.err()).isZero();
        assertThat(init.out()).contains("secure.commands          created");

        Topics topics = new Topics("secure.");
        try (Admin admin = KafkaClients.admin(kafka.bootstrapServers())) {
            KafkaClients.ensureTopics(admin, Map.of("secure-orders", 1, "secure-orders.processed", 1));
        }
        Path work = Files.createDirectories(dir.resolve("work"));
        Path pid = work.resolve("listener.pid");
        List<Process> processes = new ArrayList<>();
        try {
            // The system under test uses the plaintext listener; Faultline's clients use SASL_SSL only.
            processes.add(ChildJvm.start("io.faultline.examples.OrderListenerMain", List.of("-Xmx128m"), List.of(
                    "--bootstrap-servers", kafka.bootstrapServers(), "--mode", "exactly-once", "--instance",
                    "secure-listener", "--group", "secure-listeners", "--input", "secure-orders", "--output",
                    "secure-orders.processed", "--session-timeout-ms", "3000", "--transaction-timeout-ms", "3000",
                    "--pid-file", pid.toString(), "--exit-with-parent"), work.resolve("listener.log")));
            processes.add(AgentProcess.of("secure-agent", address, work).topics(topics).label("role", "secure")
                    .option("--service-pid-file", pid.toString()).option("--command-config", settings.toString())
                    .start());
            Scenario scenario = ScenarioLoader.parse(Path.of("secure.yaml"), """
                    name: over-sasl-ssl
                    targets:
                      listener: {labels: {role: secure}}
                    workload:
                      canary: {inputTopic: secure-orders, outputTopic: secure-orders.processed, preflightTimeout: 90s}
                    steps:
                      - wait: 2s
                      - name: freeze
                        inject:
                          target: listener
                          fault: {type: process.kill, signal: STOP}
                          lease: 30s
                      - wait: 2s
                      - heal: freeze
                    drain: 20s
                    """);
            RunOptions options = new RunOptions(address, topics, Duration.ofSeconds(60), Duration.ofSeconds(5),
                    Duration.ofSeconds(15), System.out, TestKeys.signer())
                    .withClientSettings(TestAccess.settings(settings));
            Verdict v = SchemaCheck.conforming(new GameDay(options, Clock.systemUTC()).run(scenario, GameDay.newRunId("secure", Clock.systemUTC())).verdict());
            System.out.println(Reports.summary(v));
            assertThat(v.status()).as(v.reason() + " " + v.checks()).isEqualTo(Verdict.Status.PASSED);
            assertThat(v.canary().observed()).isEqualTo(v.canary().acknowledged()).isPositive();
            assertThat(v.faults()).hasSize(1);
        } finally {
            processes.forEach(p -> ChildJvm.stop(p, Duration.ofSeconds(10)));
        }
    }

    @Test
    void theDemoRunsOverSaslScramOverTlsWithItsListenersAndAgentsOnTheSameSettings() throws Exception {
        // The broker's plaintext listener is not named anywhere: every client of the demo uses SASL_SSL.
        Result demo = cli("demo", "-b", kafka.address("SASL_SSL"), "--command-config",
                sasl(SECRET, certs.truststore()).toString(), "--listeners", "2", "--report-dir",
                dir.resolve("demo").toString());
        System.out.print(demo.out() + demo.err());
        assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("All 2 listeners joined group", "Verdict: PASSED");
    }

    @Test
    void aWrongPasswordAndAnUntrustedCertificateFailAtOnceSayingWhich() throws Exception {
        Result wrong = cli("init", "-b", kafka.address("SASL_SSL"), "--command-config",
                sasl("not-the-password", certs.truststore()).toString());
        System.out.println("wrong password (" + wrong.millis() + " ms): " + wrong.err());
        assertThat(wrong.code()).isEqualTo(3);
        assertThat(wrong.err()).contains("refused the login: authentication failed").doesNotContain("not-the-password")
                .doesNotContain("Exception:");
        assertThat(wrong.millis()).as("fails fast, not at a timeout").isLessThan(14_000);

        Result untrusted = cli("init", "-b", kafka.address("SSL"), "--command-config", properties("untrusted.properties",
                "security.protocol=SSL", "ssl.truststore.location=" + certs.untrustedTruststore(),
                "ssl.truststore.password=" + TestCertificates.PASSWORD).toString());
        System.out.println("untrusted certificate (" + untrusted.millis() + " ms): " + untrusted.err());
        assertThat(untrusted.code()).isEqualTo(3);
        assertThat(untrusted.err()).contains("its certificate is not trusted");
        assertThat(untrusted.millis()).isLessThan(14_000);
    }

    @Test
    void mutualTlsWorksWithTheClientCertificateAndIsRefusedWithoutIt() throws Exception {
        String address = kafka.address("MTLS");
        Result with = cli("init", "-b", address, "--topic-prefix", "mtls.", "--command-config",
                properties("mtls.properties", "security.protocol=SSL",
                        "ssl.truststore.location=" + certs.truststore(), "ssl.truststore.password=" + TestCertificates.PASSWORD,
                        "ssl.keystore.location=" + certs.clientKeystore(), "ssl.keystore.password=" + TestCertificates.PASSWORD,
                        "ssl.keystore.type=PKCS12").toString());
        assertThat(with.code()).as(with.err()).isZero();
        Result without = cli("init", "-b", address, "--topic-prefix", "mtls.", "--command-config",
                properties("no-client-cert.properties", "security.protocol=SSL",
                        "ssl.truststore.location=" + certs.truststore(),
                        "ssl.truststore.password=" + TestCertificates.PASSWORD).toString());
        System.out.println("mutual TLS without a client certificate (" + without.millis() + " ms): " + without.err());
        assertThat(without.code()).isEqualTo(3);
        assertThat(without.err()).contains("could not be reached over TLS");
    }
}

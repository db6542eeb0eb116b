package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FaultlineCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Faultline.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void malformedScenarioExitsTwoNamingFileLineAndField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                name: broken
                workload:
                  canary: {inputTopic: in, outputTopic: out}
                steps:
                  - wait: forever
                """);
        int code = run("run", file.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(code).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(file + ":5:").contains("steps[0].wait").contains("'forever' is not a duration")
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void theDemosClientSettingsNeedAClusterOfTheUsers(@TempDir Path dir) throws Exception {
        Path settings = dir.resolve("client.properties");
        Files.writeString(settings, "security.protocol=SSL\n");
        assertThat(run("demo", "--command-config", settings.toString())).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--command-config needs --bootstrap-servers");
    }

    @Test
    void validateAcceptsTheLibraryAndRejectsBrokenFiles(@TempDir Path dir) throws Exception {
        assertThat(run("validate", "../scenarios/primary-listener-crash.yaml")).isZero();
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: x\n");
        assertThat(run("validate", bad.toString())).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("bad.yaml").contains("steps: is required");
    }

    @Test
    void anAlertWebhookWithoutATokenRefusesToStartUnlessToldToAcceptAnyone() {
        assertThat(System.getenv(WebhookToken.ENV)).as("this test needs " + WebhookToken.ENV + " unset").isNull();
        assertThat(run("alert-bridge", "--listen", "127.0.0.1:0", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("the alert webhook needs a token: give --webhook-token-file FILE")
                .doesNotContain("Exception");
        WebhookToken anyone = new WebhookToken();
        anyone.noAuth = true;
        assertThat(anyone.token()).as("--no-webhook-auth: no token asked").isNull();
    }

    @Test
    void anAlertBridgeWhoseTelemetryKeyCannotBeReadSaysWhichAndExitsTwoBeforeReachingKafka() throws Exception {
        Path notAKey = Files.createTempFile("faultline-bridge", ".key");
        Files.writeString(notAKey, "not a key\n");
        try {
            assertThat(run("alert-bridge", "--listen", "127.0.0.1:0", "--no-webhook-auth", "--bootstrap-servers",
                    "127.0.0.1:1", "--telemetry-key", notAKey.toString())).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(err.toString()).contains("--telemetry-key " + notAKey).doesNotContain("Exception")
                    .doesNotContain("at io.faultline");
        } finally {
            Files.deleteIfExists(notAKey);
        }
    }

    @Test
    void aBrokerOnATakenPortFailsAtOnceSayingSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1,
                InetAddress.getByName("127.0.0.1"))) {
            assertThat(run("broker", "--port", Integer.toString(taken.getLocalPort()), "--dir",
                    Files.createTempDirectory("broker-port").toString()))
                    .isEqualTo(ExitCodes.INFRASTRUCTURE);
            assertThat(err.toString()).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is taken")
                    .doesNotContain("Exception");
        }
        assertThat(run("broker", "--port", "70000")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--port 70000: not a port");
    }

    @Test
    void aBrokerListensOnlyOnAnAddressOfThisMachineItCanAdvertise() {
        assertThat(run("broker", "--listen", "0.0.0.0")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--listen 0.0.0.0: clients cannot be told to connect to the wildcard");
        assertThat(run("broker", "--listen", "198.51.100.254")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("--listen 198.51.100.254: not an address of this machine");
        assertThat(run("broker", "--listen", "kafka.example.com")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("not an IP address").doesNotContain("Exception");
    }

    @Test
    void missingScenarioFileIsInvalidInput() {
        assertThat(run("run", "no-such-file.yaml")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("no-such-file.yaml: no such file");
    }

    @Test
    void unknownFlagIsInvalidInput() {
        assertThat(run("run", "--no-such-flag")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run("demo", "--listener", "sometimes")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("unknown delivery mode 'sometimes'");
    }

    @Test
    void keysGenerateWritesAPairAndRefusesToOverwriteIt() throws Exception {
        Path dir = Files.createTempDirectory("fl-keys");
        assertThat(run("keys", "generate", "--key-id", "ops-1", "--dir", dir.toString())).isZero();
        assertThat(dir.resolve("ops-1.key")).exists();
        assertThat(dir.resolve("ops-1.pub")).exists();
        assertThat(out.toString()).contains("--signing-key", "--public-key");
        assertThat(run("keys", "generate", "--key-id", "ops-1", "--dir", dir.toString())).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("exists");
    }

    @Test
    void runWithoutASigningKeyIsInvalidInput() {
        assertThat(run("run", "../scenarios/primary-listener-crash.yaml", "--bootstrap-servers", "127.0.0.1:1"))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("no signing key: pass --signing-key FILE");
    }

    @Test
    void agentWithoutItsPolicyFileOrKeyIsInvalidInput() throws Exception {
        Path dir = Files.createTempDirectory("fl-agent");
        assertThat(run("agent", "--id", "a", "--public-key", dir.resolve("missing.pub").toString()))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("missing.pub does not exist");
        assertThat(run("keys", "generate", "--key-id", "k", "--dir", dir.toString())).isZero();
        Files.writeString(dir.resolve("policy.yaml"), "faults: [process.kill]\nmaxLease: forever\n");
        assertThat(run("agent", "--id", "a", "--public-key", dir.resolve("k.pub").toString(),
                "--policy", dir.resolve("policy.yaml").toString())).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("policy.yaml:2: maxLease: 'forever' is not a duration");
    }

    @Test
    void anAgentThatCannotReachKafkaExitsWithAnInfrastructureError() throws Exception {
        // Nothing listens on port 9: the agent gives up (as before) but no longer says all went well.
        Path dir = Files.createTempDirectory("fl-agent-unreachable");
        assertThat(run("keys", "generate", "--key-id", "k", "--dir", dir.toString())).isZero();
        assertThat(run("agent", "--id", "unreachable", "--public-key", dir.resolve("k.pub").toString(), "-b",
                "127.0.0.1:9", "--state-dir", dir.resolve("state").toString())).isEqualTo(ExitCodes.INFRASTRUCTURE);
    }

    @Test
    void validateSetsScenarioParametersAndNamesAMissingOne() throws Exception {
        Path dir = Files.createTempDirectory("fl-params");
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, """
                name: p
                parameters: {group: order-listeners, lease: ""}
                targets:
                  listener: {labels: {role: listener}, pick: partition-owner, group: "${group}", topic: orders}
                steps:
                  - name: kill
                    inject: {target: listener, fault: {type: process.kill, signal: KILL}, lease: "${lease}"}
                """);
        assertThat(run("validate", f.toString())).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains("p.yaml:7:").contains("parameter 'lease' has no value: pass --set lease=VALUE");
        assertThat(run("validate", "--set", "lease=30s", "--set", "group=staging", f.toString())).isZero();
        assertThat(out.toString()).contains("p.yaml: ok (p, 1 steps)");
    }

    @Test
    void aBadBootstrapAddressIsInvalidInputWithoutAJavaTypeName() {
        assertThat(run("halt", "-b", "not a host", "--reason", "x")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).startsWith("faultline: invalid Kafka client setting: ")
                .contains("not a host").doesNotContain("Exception", "org.apache");
    }

    @Test
    void aCommandTimeoutThatIsNoDurationNamesTheOption() {
        assertThat(run("run", "../scenarios/controller-freeze.yaml", "--command-timeout", "bogus"))
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).startsWith("faultline: invalid input: --command-timeout: 'bogus' is not a duration");
    }

    @Test
    void aBootstrapHostThatDoesNotResolveIsAnInfrastructureErrorInWords() {
        // .invalid never resolves (RFC 6761): the address is well formed, the name service says no.
        assertThat(run("halt", "-b", "kafka.invalid:9092", "--reason", "x")).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(err.toString()).startsWith("faultline: none of the bootstrap servers' host names resolves")
                .doesNotContain("Exception", "org.apache");
    }

    @Test
    void aBrokerDirectoryThatIsAFileIsInvalidInputWithoutAJavaTypeName() throws Exception {
        Path file = Files.createTempFile("fl-broker", ".txt");
        int code = run("broker", "--dir", file.toString());
        assertThat(err.toString()).doesNotContain("Exception", "java.nio");
        assertThat(code).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString()).contains(file.toString());
    }

    @Test
    void aSigningKeyReadableByOthersIsWarnedAbout() throws Exception {
        Path dir = Files.createTempDirectory("fl-open-key");
        assertThat(run("keys", "generate", "--key-id", "k", "--dir", dir.toString())).isZero();
        Path key = dir.resolve("k.key");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            SigningOptions.warnIfOthersCanRead(key);
            assertThat(stderr.toString(StandardCharsets.UTF_8)).as("mode 600 as generated").isEmpty();
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
            SigningOptions.warnIfOthersCanRead(key);
        } finally {
            System.setErr(old);
        }
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("is readable by others (rw-r--r--)")
                .contains("chmod 600 " + key);
    }

    @Test
    void unreachableBrokerIsAnInfrastructureError() throws Exception {
        Path keys = Files.createTempDirectory("fl-keys");
        assertThat(run("keys", "generate", "--key-id", "t", "--dir", keys.toString())).isZero();
        int code = run("run", "../scenarios/primary-listener-crash.yaml", "--bootstrap-servers", "127.0.0.1:1",
                "--signing-key", keys.resolve("t.key").toString(),
                "--report-dir", Files.createTempDirectory("fl").toString());
        assertThat(code).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(err.toString()).contains("Kafka unreachable at 127.0.0.1:1");
    }

    @Test
    void helpListsSubcommandsAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "plan", "halt", "keys", "agent", "demo", "validate", "Exit codes",
                "infrastructure error", "4   aborted");
    }
}

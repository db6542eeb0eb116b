package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.KeyFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --command-config}: the settings a client starts from, and every way the file can be wrong. */
class ClientSettingsFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("client.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsTheSecuritySettingsAndLeavesTheBootstrapServersToTheCommandLine() throws Exception {
        Map<String, String> s = ClientSettingsFile.load(file("""
                # TLS with SASL/SCRAM, as for kafka-console-consumer.sh --command-config
                bootstrap.servers=ignored:9092
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="faultline" password="s3cret";
                ssl.truststore.location=/etc/faultline/truststore.p12
                ssl.truststore.password=changeit
                """));
        assertThat(s).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKey("sasl.jaas.config").doesNotContainKey("bootstrap.servers");
        assertThat(s.get("sasl.jaas.config")).endsWith("password=\"s3cret\";");
    }

    @Test
    void aMisspeltSettingIsNamedWithItsLineAndTheSettingMeantButNoValueIsEchoed() throws Exception {
        Path f = file("security.protocol=SSL\nssl.truststore.pasword=changeit\n");
        assertThatThrownBy(() -> ClientSettingsFile.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--command-config " + f + ":2: unknown Kafka client setting 'ssl.truststore.pasword' (did you "
                        + "mean 'ssl.truststore.password'?)")
                .message().doesNotContain("changeit");
    }

    @Test
    void aValueWrappedOntoALineOfItsOwnIsNeverPrinted() throws Exception {
        // An editor wrapped the JAAS line: its password part reads as a key of its own.
        Path f = file("sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
                + "required username=\"svc\" password=\n\"hunter2-SECRET\";\n");
        assertThatThrownBy(() -> ClientSettingsFile.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":3: unknown Kafka client setting (not shown: it does not look like a setting's "
                        + "name; is a value wrapped onto this line?)")
                .message().doesNotContain("hunter2");
        assertThat(CommonErrors.redacted("Invalid value hunter2-SECRET for configuration sasl.mechanism: must be one of"))
                .isEqualTo("Invalid value for configuration sasl.mechanism: must be one of");
    }

    @Test
    void settingsFaultlineOwnsAreRefusedAndAMissingFileIsNamed() throws Exception {
        Path f = file("security.protocol=SSL\ngroup.id=mine\n");
        assertThatThrownBy(() -> ClientSettingsFile.load(f))
                .hasMessage("--command-config " + f + ":2: 'group.id' is set by Faultline on each client; leave it out "
                        + "(the file is for connection and security settings)");
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> ClientSettingsFile.load(missing))
                .hasMessageStartingWith("--command-config " + missing + ": ").hasMessageContaining("no such file");
    }

    @Test
    void everyCommandThatTalksToKafkaTakesTheFileAndABadOneIsExitTwo() throws Exception {
        Path f = file("sasl.mechanisms=PLAIN\n");
        for (String command : new String[] {"init", "halt", "replay", "alert-bridge", "run", "plan", "agent"}) {
            StringWriter err = new StringWriter();
            CommandLine cl = Faultline.commandLine();
            cl.setErr(new PrintWriter(err, true));
            String[] args = switch (command) {
                case "replay" -> new String[] {command, "run-1", "--command-config", f.toString()};
                case "alert-bridge" -> new String[] {command, "--no-webhook-auth", "--listen", "127.0.0.1:0",
                        "--command-config", f.toString()};
                case "run", "plan" -> new String[] {command, "../scenarios/primary-listener-crash.yaml", "--signing-key",
                        TestKeysPath.privateKey(dir).toString(), "--command-config", f.toString()};
                case "agent" -> new String[] {command, "--id", "a-1", "--public-key", TestKeysPath.publicKey(dir)
                        .toString(), "--state-dir", dir.resolve("state").toString(), "--command-config", f.toString()};
                default -> new String[] {command, "--command-config", f.toString()};
            };
            assertThat(cl.execute(args)).as(command + ": " + err).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(err.toString()).as(command).contains("unknown Kafka client setting 'sasl.mechanisms' (did you "
                    + "mean 'sasl.mechanism'?)").doesNotContain("Exception");
        }
    }

    /** A key pair in the test's directory, for the commands that need one before they read the file. */
    private static final class TestKeysPath {
        static Path privateKey(Path dir) throws Exception {
            generate(dir);
            return dir.resolve("keys").resolve("t" + KeyFiles.PRIVATE_SUFFIX);
        }

        static Path publicKey(Path dir) throws Exception {
            generate(dir);
            return dir.resolve("keys").resolve("t" + KeyFiles.PUBLIC_SUFFIX);
        }

        private static void generate(Path dir) throws Exception {
            if (!Files.exists(dir.resolve("keys").resolve("t" + KeyFiles.PUBLIC_SUFFIX))) {
                KeyFiles.generate(dir.resolve("keys"), "t");
            }
        }
    }
}

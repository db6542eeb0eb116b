package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetrySignature;
import io.faultline.protocol.TelemetrySigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryKeyTest {
    private static final byte[] VALUE = "{}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path state;

    @Test
    void madeAtFirstStartAndTheSameAtEveryStartAfter() throws Exception {
        TelemetrySigner first = TelemetryKey.own(state, "agent-1");
        TelemetrySigner again = TelemetryKey.own(state, "agent-1");
        assertThat(first.keyId()).isEqualTo("agent-1");
        Path pub = state.resolve(TelemetryKey.DIR).resolve("agent-1.pub");
        TelemetrySignature trust = new TelemetrySignature(KeyFiles.publicKeys(List.of(pub)));
        assertThat(trust.check("agent-1", "agent-1", again.sign(VALUE), VALUE)).isEqualTo("agent-1");
        assertThat(first.sign(VALUE)).isEqualTo(again.sign(VALUE));
        try (var left = Files.list(state.resolve(TelemetryKey.DIR))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("agent-1.key", "agent-1.pub");
        }
    }

    @Test
    void aPairCutShortByACrashIsMadeAnew() throws Exception {
        Path dir = Files.createDirectories(state.resolve(TelemetryKey.DIR));
        Files.writeString(dir.resolve("agent-1.pub"), "left from a crash before the private half was moved in");
        TelemetrySigner signer = TelemetryKey.own(state, "agent-1");
        TelemetrySignature trust = new TelemetrySignature(KeyFiles.publicKeys(List.of(dir.resolve("agent-1.pub"))));
        assertThat(trust.check("agent-1", "agent-1", signer.sign(VALUE), VALUE)).isEqualTo("agent-1");
    }

    @Test
    void aKeyThatCannotBeMadeLeavesTheAgentPublishingUnsignedRatherThanNotStarting() throws Exception {
        // The key's directory is a file: nothing can be written there.
        Files.writeString(state.resolve(TelemetryKey.DIR), "not a directory");
        assertThat(TelemetryKey.own(state, "agent-1")).isNull();
    }
}

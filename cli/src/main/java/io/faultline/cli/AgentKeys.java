package io.faultline.cli;

import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetrySignature;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The agents' telemetry keys: what {@code run}, {@code plan} and {@code agents} believe agents by. */
final class AgentKeys {
    @Option(names = "--agent-keys", paramLabel = "FILE|DIR", defaultValue = "${env:FAULTLINE_AGENT_KEYS}",
            description = "(Default: $FAULTLINE_AGENT_KEYS.) Public telemetry key (KEYID.pub) of agents, or a directory of them; repeatable. With any, "
                    + "only agent events signed by one of them are believed (a run's 'authentic' check fails when "
                    + "others claimed the run or its agents). Each agent makes its key at first start "
                    + "(STATE-DIR/telemetry-key/ID.pub) or is given one with --telemetry-key.")
    List<Path> files = new ArrayList<>();

    /** The keys by key id; empty when none was given. */
    Map<String, PublicKey> keys() {
        if (files.isEmpty()) {
            return Map.of();
        }
        Map<String, PublicKey> keys;
        try {
            keys = KeyFiles.publicKeys(files);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--agent-keys: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("--agent-keys: no *.pub file in " + files);
        }
        return keys;
    }

    /** What checks the agents' signatures; null when no key was given. */
    TelemetrySignature signature() {
        Map<String, PublicKey> keys = keys();
        return keys.isEmpty() ? null : new TelemetrySignature(keys);
    }
}

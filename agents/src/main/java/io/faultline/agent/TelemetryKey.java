package io.faultline.agent;

import io.faultline.protocol.KeyFiles;
import io.faultline.protocol.TelemetrySigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own telemetry key: {@code <state-dir>/telemetry-key/<agent-id>.key}, with its public
 * half beside it as {@code .pub}, made at the agent's first start. The orchestrator trusts it once
 * that {@code .pub} file is in its {@code --agent-keys} directory.
 */
final class TelemetryKey {
    private static final Logger log = LoggerFactory.getLogger(TelemetryKey.class);
    static final String DIR = "telemetry-key";

    private TelemetryKey() {
    }

    /**
     * The agent's key, made now if it has none. A key that cannot be read or made is logged and
     * null is returned: the agent then publishes unsigned rather than refuse to start, since its
     * start undoes what a predecessor left behind.
     */
    static TelemetrySigner own(Path stateDir, String agentId) {
        Path dir = stateDir.resolve(DIR);
        Path priv = dir.resolve(agentId + KeyFiles.PRIVATE_SUFFIX);
        Path pub = dir.resolve(agentId + KeyFiles.PUBLIC_SUFFIX);
        try {
            if (!Files.exists(priv)) {
                make(dir, agentId, priv, pub);
                log.info("agent {}: made its telemetry key; trust it on the orchestrator by copying {} into the "
                        + "--agent-keys directory", agentId, pub);
            }
            return new TelemetrySigner(agentId, KeyFiles.readPrivate(priv));
        } catch (IOException | RuntimeException e) {
            log.error("agent {}: telemetry will go out unsigned: its key {} cannot be used ({})", agentId, priv,
                    e.getMessage());
            return null;
        }
    }

    /** Writes the pair in a directory of its own and moves it in place, public half first, so a crash leaves no half key. */
    private static void make(Path dir, String agentId, Path priv, Path pub) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(pub); // a pair cut short before its private half arrived
        Path fresh = Files.createTempDirectory(dir, ".new-");
        try {
            KeyFiles.generate(fresh, agentId);
            Files.move(fresh.resolve(pub.getFileName()), pub, StandardCopyOption.ATOMIC_MOVE);
            Files.move(fresh.resolve(priv.getFileName()), priv, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            try (var left = Files.list(fresh)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(fresh);
        }
    }
}

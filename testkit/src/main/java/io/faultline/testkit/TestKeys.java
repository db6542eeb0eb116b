package io.faultline.testkit;

import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.KeyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;

/** One signing key pair per test JVM, written to files so that agents in child processes can trust it. */
public final class TestKeys {
    public static final String KEY_ID = "it";
    private static Path dir;

    private TestKeys() {
    }

    private static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("faultline-it-keys-");
                KeyFiles.generate(dir, KEY_ID);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    public static Path publicKeyFile() {
        return dir().resolve(KEY_ID + KeyFiles.PUBLIC_SUFFIX);
    }

    public static Path privateKeyFile() {
        return dir().resolve(KEY_ID + KeyFiles.PRIVATE_SUFFIX);
    }

    public static Map<String, PublicKey> publicKeys() {
        try {
            return KeyFiles.publicKeys(List.of(publicKeyFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CommandSigner signer() {
        try {
            return KeyFiles.signer(privateKeyFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

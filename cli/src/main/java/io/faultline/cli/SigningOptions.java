package io.faultline.cli;

import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The private key the orchestrator signs commands with. */
final class SigningOptions {
    @Option(names = "--signing-key", paramLabel = "FILE", defaultValue = "${env:FAULTLINE_SIGNING_KEY}",
            description = "Private key (KEYID.key) to sign commands with; agents must trust KEYID.pub "
                    + "(default: $FAULTLINE_SIGNING_KEY). Create a pair with 'faultline keys generate'.")
    Path signingKey;

    CommandSigner signer() {
        if (signingKey == null) {
            throw new IllegalArgumentException("no signing key: pass --signing-key FILE or set FAULTLINE_SIGNING_KEY "
                    + "(create a pair with 'faultline keys generate')");
        }
        try {
            return KeyFiles.signer(signingKey);
        } catch (IOException e) {
            throw new IllegalArgumentException("--signing-key " + signingKey + ": " + e.getMessage());
        }
    }
}

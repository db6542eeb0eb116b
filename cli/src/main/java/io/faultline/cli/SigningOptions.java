package io.faultline.cli;

import io.faultline.protocol.CommandSigner;
import io.faultline.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import picocli.CommandLine.Option;

/** The private key the orchestrator signs commands with. */
final class SigningOptions {
    @Option(names = "--signing-key", paramLabel = "FILE", defaultValue = "${env:FAULTLINE_SIGNING_KEY}",
            description = "Private key (KEYID.key) to sign commands with; agents must trust KEYID.pub "
                    + "(default: $FAULTLINE_SIGNING_KEY). Create a pair with 'faultline keys generate'.")
    Path signingKey;

    /** A signing key others can read is a key others can sign with: say so, as ssh does. */
    static void warnIfOthersCanRead(Path key) {
        try {
            var perms = Files.getPosixFilePermissions(key);
            if (perms.contains(PosixFilePermission.GROUP_READ)
                    || perms.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("faultline: warning: signing key " + key + " is readable by others ("
                        + PosixFilePermissions.toString(perms)
                        + "); anyone who can read it can sign commands. Run: chmod 600 " + key);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Unreadable or not POSIX: the load below says what is wrong, or there is nothing to check.
        }
    }

    CommandSigner signer() {
        if (signingKey == null) {
            throw new IllegalArgumentException("no signing key: pass --signing-key FILE or set FAULTLINE_SIGNING_KEY "
                    + "(create a pair with 'faultline keys generate')");
        }
        warnIfOthersCanRead(signingKey);
        try {
            return KeyFiles.signer(signingKey);
        } catch (IOException e) {
            throw new IllegalArgumentException("--signing-key " + signingKey + ": " + e.getMessage());
        }
    }
}

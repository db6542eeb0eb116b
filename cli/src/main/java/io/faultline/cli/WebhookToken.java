package io.faultline.cli;

import io.faultline.protocol.TextFiles;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The bearer token an Alertmanager webhook receiver requires: a file holding it (mounted from a
 * Secret), or the environment variable {@code FAULTLINE_WEBHOOK_TOKEN}. Alertmanager sends it with
 * {@code http_config: {authorization: {credentials_file: ...}}}.
 */
public final class WebhookToken {
    static final String ENV = "FAULTLINE_WEBHOOK_TOKEN";

    @Option(names = "--webhook-token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer <token>' on webhook posts; the token is this file's first "
                    + "line (or set " + ENV + "). Without one, anyone who can reach the port can post alerts.")
    Path file;

    /** The token, or null when none is configured. */
    String token() {
        if (file != null) {
            String text;
            try {
                text = TextFiles.read(file, 4096, 4096);
            } catch (TextFiles.UnreadableException e) {
                throw new IllegalArgumentException("--webhook-token-file " + file + ": " + e.getMessage());
            }
            String token = text.lines().findFirst().orElse("").strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--webhook-token-file " + file + ": empty");
            }
            return token;
        }
        String env = System.getenv(ENV);
        return env == null || env.isBlank() ? null : env.strip();
    }
}

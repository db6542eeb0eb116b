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
                    + "line (or set " + ENV + "). One of the two, or --no-webhook-auth, is required.")
    Path file;

    @Option(names = "--no-webhook-auth",
            description = "Accept webhook posts without a token: anyone who can reach the port can then post a "
                    + "firing or resolved alert and flip an alert check. For a trusted loopback only.")
    boolean noAuth;

    /**
     * The token; null only when {@code --no-webhook-auth} was given.
     *
     * @throws IllegalArgumentException when there is no token and no explicit opt-out
     */
    String token() {
        String token = configured();
        if (token != null || noAuth) {
            return token;
        }
        throw new IllegalArgumentException("the alert webhook needs a token: give --webhook-token-file FILE (or set "
                + ENV + ") and the same token in Alertmanager's http_config, or --no-webhook-auth to accept posts from "
                + "anyone who can reach the port");
    }

    private String configured() {
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

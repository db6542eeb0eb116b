package io.faultline.cli;

import io.faultline.protocol.KeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline keys}: signing keys for commands. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage command-signing keys.",
        subcommands = KeysCommand.Generate.class)
public final class KeysCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code faultline keys generate}: writes a new Ed25519 key pair. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a new Ed25519 key pair: DIR/KEYID.key (private, mode 600) for the orchestrator's "
                    + "--signing-key, DIR/KEYID.pub for the agents' --public-key.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--key-id", required = true, description = "Key id, e.g. ops-2026-11 (letters, digits, . _ : -).")
        String keyId;

        @Option(names = "--dir", defaultValue = ".", description = "Where to write the files (default: current directory).")
        Path dir;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            List<Path> files = KeyFiles.generate(dir, keyId);
            spec.commandLine().getOut().println("private key: " + files.get(0) + " (keep it secret; orchestrator --signing-key)");
            spec.commandLine().getOut().println("public key:  " + files.get(1) + " (give it to every agent: --public-key)");
            return ExitCodes.PASSED;
        }
    }
}

package io.faultline.cli;

import java.nio.file.Path;
import java.util.Map;

/** Lets integration tests in other packages read a client properties file the way the commands do. */
public final class TestAccess {
    private TestAccess() {
    }

    public static Map<String, String> settings(Path file) {
        return ClientSettingsFile.load(file);
    }
}

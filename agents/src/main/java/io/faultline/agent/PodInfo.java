package io.faultline.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an agent in a pod learns about itself from the downward API: the pod's labels (a volume
 * file of {@code key="value"} lines) and its name and namespace (environment variables).
 */
public final class PodInfo {
    private PodInfo() {
    }

    public static Map<String, String> labels(Path labelsFile, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        if (labelsFile != null) {
            try {
                for (String line : Files.readAllLines(labelsFile)) {
                    int eq = line.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String value = line.substring(eq + 1).strip();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                    }
                    out.put(line.substring(0, eq).strip(), value);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--labels-file " + labelsFile + ": " + e.getMessage());
            }
        }
        if (env.get("POD_NAME") != null) {
            out.put("pod", env.get("POD_NAME"));
        }
        if (env.get("POD_NAMESPACE") != null) {
            out.put("namespace", env.get("POD_NAMESPACE"));
        }
        return out;
    }
}

package io.faultline.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --set NAME=VALUE}: a scenario parameter for this run, over its default. */
final class ScenarioParams {
    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Set the scenario parameter NAME (declared under parameters:, used as ${NAME}); repeatable.")
    Map<String, String> values = new LinkedHashMap<>();

    Map<String, String> values() {
        return values == null ? Map.of() : values;
    }
}

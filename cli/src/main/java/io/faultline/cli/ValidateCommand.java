package io.faultline.cli;

import io.faultline.scenario.Scenario;
import io.faultline.scenario.ScenarioException;
import io.faultline.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline validate}: checks scenario files without touching anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check scenario files; print FILE:LINE:COLUMN: FIELD: problem for each error.")
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "Scenario files (YAML).")
    List<Path> files;

    @Mixin
    ScenarioParams params = new ScenarioParams();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int code = ExitCodes.PASSED;
        for (Path f : files) {
            try {
                Scenario s = ScenarioLoader.load(f, params.values());
                spec.commandLine().getOut().println(f + ": ok (" + s.name() + ", " + s.steps().size() + " steps)");
            } catch (ScenarioException e) {
                spec.commandLine().getErr().println(e.getMessage());
                code = ExitCodes.INVALID_INPUT;
            }
        }
        return code;
    }
}

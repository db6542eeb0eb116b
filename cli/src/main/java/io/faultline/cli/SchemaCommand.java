package io.faultline.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline schema}: prints the JSON Schema of a scenario file or of a verdict. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = {"Print the JSON Schema of a scenario file or of a verdict, generated from the model Faultline reads "
                + "and writes.",
                "Editors use the scenario schema through the modeline "
                        + "'# yaml-language-server: $schema=<path or URL of scenario.schema.json>'."})
public final class SchemaCommand implements Callable<Integer> {
    @Parameters(paramLabel = "KIND", description = "scenario or verdict")
    String kind;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Schemas.Kind k;
        try {
            k = Schemas.Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("faultline schema: unknown kind '" + kind + "' (scenario or verdict)");
            return ExitCodes.INVALID_INPUT;
        }
        spec.commandLine().getOut().print(Schemas.render(k));
        spec.commandLine().getOut().flush();
        return ExitCodes.PASSED;
    }
}

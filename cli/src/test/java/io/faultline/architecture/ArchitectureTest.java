package io.faultline.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Keeps the module arrows and the pure cores as the README draws them. Runs here because this
 * module sees every other module's classes.
 */
class ArchitectureTest {
    private static final String[] ORCHESTRATOR = {"io.faultline.engine..", "io.faultline.scenario..",
            "io.faultline.verifier..", "io.faultline.workload..", "io.faultline.probe..", "io.faultline.alert..",
            "io.faultline.report..", "io.faultline.history..", "io.faultline.kafka.."};
    private static final String[] IO = {"org.apache.kafka..", "io.fabric8..", "java.net.http..",
            "com.sun.net.httpserver..", "java.sql..", "redis.clients.."};

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.faultline");

    private static void check(ArchRule rule) {
        rule.check(MAIN);
    }

    @Test
    void theVerifierAndTheScenarioModelArePure() {
        check(noClasses().that().resideInAnyPackage("io.faultline.verifier..", "io.faultline.scenario..")
                .should().dependOnClassesThat().resideInAnyPackage(IO));
    }

    @Test
    void theAgentsIntakeIsPure() {
        check(noClasses().that().haveFullyQualifiedName("io.faultline.agent.CommandIntake")
                .should().dependOnClassesThat().resideInAnyPackage(IO));
    }

    @Test
    void theProtocolDependsOnNothingOfOurs() {
        check(noClasses().that().resideInAnyPackage("io.faultline.protocol..", "io.faultline.time..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(ORCHESTRATOR, "io.faultline.agent..",
                        "io.faultline.cli..", "io.faultline.demo..", "io.faultline.broker..", "io.faultline.examples..",
                        "org.apache.kafka..", "io.fabric8..")));
    }

    @Test
    void theOrchestratorDependsOnNeitherAgentsNorExamples() {
        check(noClasses().that().resideInAnyPackage(ORCHESTRATOR)
                .should().dependOnClassesThat().resideInAnyPackage("io.faultline.agent..", "io.faultline.examples..",
                        "io.faultline.cli..", "io.faultline.demo..", "io.faultline.broker..", "picocli.."));
    }

    @Test
    void theAgentKnowsNoOrchestratorCommandLineOrExample() {
        check(noClasses().that().resideInAPackage("io.faultline.agent..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(ORCHESTRATOR, "io.faultline.cli..",
                        "io.faultline.demo..", "io.faultline.broker..", "io.faultline.examples..", "picocli..", "kafka..",
                        "scala..")));
    }

    @Test
    void onlyTheCommandLineUsesPicocli() {
        check(noClasses().that().resideOutsideOfPackages("io.faultline.cli..", "io.faultline.examples..",
                        "io.faultline.bench..")
                .should().dependOnClassesThat().resideInAPackage("picocli.."));
    }

    @Test
    void theAgentsEntryPointReachesNoOrchestratorClass() {
        // AgentMain starts from the agent's own class path, which holds no orchestrator, broker or example.
        check(noClasses().that().haveFullyQualifiedName("io.faultline.cli.AgentMain")
                .or().haveFullyQualifiedName("io.faultline.cli.AgentCommand")
                .or().haveFullyQualifiedName("io.faultline.cli.CommonErrors")
                .or().haveFullyQualifiedName("io.faultline.cli.ManifestVersion")
                .or().haveFullyQualifiedName("io.faultline.cli.ExitCodes")
                .should().dependOnClassesThat().resideInAnyPackage(concat(ORCHESTRATOR, "io.faultline.demo..",
                        "io.faultline.broker..", "io.faultline.examples..")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

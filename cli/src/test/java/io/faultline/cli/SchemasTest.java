package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.ScenarioLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class SchemasTest {
    static final Path SCHEMAS = Path.of("..", "schemas");
    static final Path LIBRARY = Path.of("..", "scenarios");
    static final String MODELINE = "# yaml-language-server: $schema=../schemas/scenario.schema.json";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest
    @EnumSource(Schemas.Kind.class)
    void thePublishedSchemaIsTheOneTheModelGenerates(Schemas.Kind kind) throws IOException {
        String published = Files.readString(SCHEMAS.resolve(kind.fileName()));
        assertThat(published)
                .as("schemas/%s is stale: regenerate it with ./faultline schema %s > schemas/%s", kind.fileName(),
                        kind.name().toLowerCase(Locale.ROOT), kind.fileName())
                .isEqualTo(Schemas.render(kind));
    }

    static Stream<Path> library() throws IOException {
        try (Stream<Path> files = Files.list(LIBRARY)) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).isNotEmpty();
            return yaml.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("library")
    void everyLibraryScenarioConformsAndNamesTheSchemaForEditors(Path scenario) throws Exception {
        String text = Files.readString(scenario);
        assertThat(text.lines().findFirst()).contains(MODELINE);
        ScenarioLoader.load(scenario);
        assertThat(SchemaCheck.problems(Schemas.Kind.SCENARIO, YAML.readTree(text))).isEmpty();
    }

    @Test
    void aMisspeltKeyAWrongTypeAndABadDurationAreFlagged() throws Exception {
        JsonNode good = YAML.readTree(Files.readString(LIBRARY.resolve("primary-listener-crash.yaml")));
        assertThat(SchemaCheck.problems(Schemas.Kind.SCENARIO, good)).isEmpty();

        JsonNode typo = good.deepCopy();
        ((ObjectNode) typo.get("steps").get(0)).put("waitt", "5s");
        assertThat(SchemaCheck.problems(Schemas.Kind.SCENARIO, typo)).anyMatch(p -> p.contains("waitt"));

        JsonNode duration = good.deepCopy();
        ((ObjectNode) duration).put("drain", "ten seconds");
        assertThat(SchemaCheck.problems(Schemas.Kind.SCENARIO, duration)).anyMatch(p -> p.contains("drain"));

        JsonNode fault = YAML.readTree("""
                name: x
                workload: {canary: {inputTopic: in, outputTopic: out}}
                steps:
                  - inject: {target: t, fault: {type: process.explode}}
                """);
        assertThat(SchemaCheck.problems(Schemas.Kind.SCENARIO, fault)).isNotEmpty();
    }

    @Test
    void aVerdictConformsAndOneMissingItsStatusDoesNot() {
        Instant t = Instant.parse("2026-11-25T10:00:00Z");
        Verdict v = Verdict.judged("run-1", "demo", t, t.plusSeconds(60),
                List.of(new CheckResult("lost", CheckResult.Outcome.PASS, 0.0, 0.0, "events", "0 lost", List.of())), List.of(),
                new CanaryStats(10, 10, 10, 0, 0, 0, 0, 0, 1.0, null, List.of(), 1.0));
        SchemaCheck.conforming(v);
        ObjectNode broken = Json.mapper().valueToTree(v);
        broken.remove("status");
        broken.put("startedAt", "yesterday");
        assertThat(SchemaCheck.problems(Schemas.Kind.VERDICT, broken))
                .anyMatch(p -> p.contains("status")).anyMatch(p -> p.contains("startedAt"));
    }
}

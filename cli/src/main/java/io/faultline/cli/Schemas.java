package io.faultline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.CustomPropertyDefinition;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import io.faultline.protocol.Json;
import io.faultline.scenario.ChecksSpec;
import io.faultline.protocol.Verdict;
import io.faultline.scenario.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * JSON Schemas generated from the model classes themselves, so that they cannot drift from what
 * Faultline reads and writes: {@code scenario} for editors and CI linting of scenario files,
 * {@code verdict} for whatever consumes the verdicts topic. The published copies under
 * {@code schemas/} are checked against this generator by a test.
 */
public final class Schemas {
    /** A duration as {@code Durations.parse} takes it: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601. */
    static final String DURATION_PATTERN = "^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)|[Pp][0-9A-Za-z.]+)\\s*$";
    /** Verdict fields the model's constructors insist on, besides its primitives. */
    static final Set<String> VERDICT_ALWAYS_SET = Set.of("Verdict.runId", "Verdict.scenario",
            "Verdict.status", "CheckResult.name", "CheckResult.outcome");

    /** The documents Faultline publishes a schema for. */
    public enum Kind {
        SCENARIO(Scenario.class, "Faultline scenario",
                "A game-day: targets, the canary workload, the steps to run and the checks the verdict applies."),
        VERDICT(Verdict.class, "Faultline verdict",
                "The final word on a run, as published on the verdicts topic and written as verdict.json.");

        final Class<?> type;
        final String title;
        final String description;

        Kind(Class<?> type, String title, String description) {
            this.type = type;
            this.title = title;
            this.description = description;
        }

        public String fileName() {
            return name().toLowerCase(Locale.ROOT) + ".schema.json";
        }
    }

    private Schemas() {
    }

    public static ObjectNode generate(Kind kind) {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(Json.mapper(), SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONVALUE,
                        JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY))
                .with(Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES, Option.PLAIN_DEFINITION_KEYS);
        if (kind == Kind.SCENARIO) {
            // Faultline refuses unknown keys in a scenario; the schema lets an editor flag the typo first.
            config.with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT);
        } else {
            // A verdict's readers ignore fields they do not know, so a newer writer stays readable;
            // what the writer always sets is required.
            config.forFields().withRequiredCheck(f -> f.getType().getErasedType().isPrimitive()
                    || VERDICT_ALWAYS_SET.contains(f.getDeclaringType().getErasedType().getSimpleName() + "." + f.getName()));
        }
        // checks.reordered: a count, or off (YAML also reads a bare off as false).
        config.forFields().withCustomDefinitionProvider((field, context) -> {
            if (field.getDeclaringType().getErasedType() != ChecksSpec.class || !field.getName().equals("reordered")) {
                return null;
            }
            ObjectNode node = context.getGeneratorConfig().createObjectNode();
            var any = node.putArray("anyOf");
            any.addObject().put("type", "integer").put("minimum", 0);
            any.addObject().put("const", "off");
            any.addObject().put("const", false);
            node.put("description", "REORDERED canaries allowed (default 0), or off to not judge order");
            return new CustomPropertyDefinition(node, CustomDefinition.AttributeInclusion.NO);
        });
        // Properties in the order the model declares them, which is the order the docs explain them in.
        config.forTypesInGeneral().withPropertySorter((a, b) -> 0);
        config.forTypesInGeneral().withCustomDefinitionProvider((type, context) -> {
            if (type.getErasedType() == Duration.class) {
                ObjectNode d = context.getGeneratorConfig().createObjectNode();
                d.put("type", "string");
                d.put("pattern", DURATION_PATTERN);
                d.put("description", "A duration: 500ms, 10s, 2m, 1h, 1d (or ISO-8601 such as PT30S)");
                return new CustomDefinition(d, CustomDefinition.DefinitionType.STANDARD,
                        CustomDefinition.AttributeInclusion.NO);
            }
            if (type.getErasedType() == Instant.class) {
                ObjectNode d = context.getGeneratorConfig().createObjectNode();
                d.put("type", "string");
                d.put("format", "date-time");
                return new CustomDefinition(d, CustomDefinition.DefinitionType.INLINE,
                        CustomDefinition.AttributeInclusion.NO);
            }
            return null;
        });
        ObjectNode schema = new SchemaGenerator(config.build()).generateSchema(kind.type);
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("$schema", schema.path("$schema").asText());
        out.put("title", kind.title);
        out.put("description", kind.description);
        schema.remove("$schema");
        if (kind == Kind.SCENARIO && schema.get("properties") instanceof ObjectNode properties) {
            // Read, and blanked, before the scenario is bound: not a field of the model.
            ObjectNode parameters = properties.putObject("parameters");
            parameters.put("type", "object");
            parameters.put("description", "Parameters and their defaults, used as ${name} anywhere in the file and "
                    + "set per run with --set name=value; an empty default must be set");
            parameters.putObject("propertyNames").put("pattern", "^[A-Za-z_][A-Za-z0-9_-]{0,63}$");
            parameters.putObject("additionalProperties").putArray("type").add("string").add("number").add("boolean")
                    .add("null");
        }
        out.setAll(schema);
        return out;
    }

    public static String render(Kind kind) {
        return Json.encodePretty(generate(kind)) + "\n";
    }
}

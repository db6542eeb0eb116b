package io.faultline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Validates documents against the published schemas with an independent validator, so tests can
 * show that every scenario in the library and every verdict a run produces conforms.
 */
public final class SchemaCheck {
    private static final Map<Schemas.Kind, JsonSchema> SCHEMAS = new EnumMap<>(Schemas.Kind.class);

    private SchemaCheck() {
    }

    public static synchronized JsonSchema schema(Schemas.Kind kind) {
        return SCHEMAS.computeIfAbsent(kind, k -> JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Schemas.generate(k), SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build()));
    }

    /** The problems the validator finds, one line each; empty when the document conforms. */
    public static List<String> problems(Schemas.Kind kind, JsonNode document) {
        return schema(kind).validate(document).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /** Fails unless {@code verdict}, as it is published, conforms to the verdict schema; returns it. */
    public static Verdict conforming(Verdict verdict) {
        JsonNode published = Json.mapper().valueToTree(verdict);
        List<String> problems = problems(Schemas.Kind.VERDICT, published);
        if (!problems.isEmpty()) {
            throw new AssertionError("verdict " + verdict.runId() + " does not conform to verdict.schema.json: " + problems);
        }
        return verdict;
    }
}

package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.InvalidFieldException;
import io.faultline.protocol.TextFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads scenario files. Every problem becomes a {@link ScenarioException} naming the file, the
 * line and column, and the path of the offending field; no Jackson or Java type name reaches
 * the user.
 */
public final class ScenarioLoader {
    /** A scenario is a page or two of YAML; these bounds keep a hostile file from costing minutes or gigabytes. */
    public static final int MAX_BYTES = 1024 * 1024;
    public static final int MAX_LINE = 16 * 1024;
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 40;
    private static final ObjectMapper YAML = mapper();

    static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        return options;
    }

    private ScenarioLoader() {
    }

    static ObjectMapper mapper() {
        SimpleModule durations = new SimpleModule("faultline-durations");
        durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                String text = p.getValueAsString();
                if (text == null) {
                    return (Duration) ctx.handleUnexpectedToken(Duration.class, p);
                }
                try {
                    return Durations.parse(text);
                } catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(p, e.getMessage(), text, Duration.class);
                }
            }
        });
        durations.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider s)
                    throws IOException {
                gen.writeString(Durations.format(value));
            }
        });
        return YAMLMapper.builder(YAMLFactory.builder().loaderOptions(loaderOptions())
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build())
                .addModule(durations)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
    }

    public static Scenario load(Path file) throws ScenarioException {
        return load(file, Map.of());
    }

    /** Loads {@code file} with its parameters set to {@code parameters} (the rest keep their defaults). */
    public static Scenario load(Path file, Map<String, String> parameters) throws ScenarioException {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES, MAX_LINE);
        } catch (TextFiles.UnreadableException e) {
            throw new ScenarioException(file, e.line(), 0, null, e.getMessage());
        }
        return parse(file, text, parameters);
    }

    /** Parses {@code text}; {@code file} is only used to name the source in errors. */
    public static Scenario parse(Path file, String text) throws ScenarioException {
        return parse(file, text, Map.of());
    }

    /** As {@link #parse(Path, String)}, with the scenario's parameters set to {@code parameters}. */
    public static Scenario parse(Path file, String raw, Map<String, String> parameters) throws ScenarioException {
        String text = ScenarioParameters.apply(file, raw, parameters, loaderOptions());
        Node root;
        try {
            root = new Yaml(loaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ScenarioException(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1,
                    null, "not valid YAML: " + problem);
        } catch (RuntimeException e) {
            throw new ScenarioException(file, 0, 0, null, "not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof MappingNode)) {
            throw new ScenarioException(file, 1, 1, null, "a scenario must be a YAML mapping (name:, workload:, steps:, ...)");
        }
        rejectDuplicateKeys(file, root, new ArrayList<>());
        try {
            return YAML.readValue(text, Scenario.class);
        } catch (JsonMappingException e) {
            throw translate(file, root, e);
        } catch (JsonProcessingException e) {
            throw new ScenarioException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    e.getLocation() == null ? 0 : e.getLocation().getColumnNr(), null, e.getOriginalMessage());
        }
    }

    /** A key given twice in one mapping would silently lose one of its values; refuse it with its line. */
    private static void rejectDuplicateKeys(Path file, Node node, List<Object> path) throws ScenarioException {
        if (node instanceof MappingNode map) {
            Set<String> seen = new HashSet<>();
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    List<Object> here = new ArrayList<>(path);
                    here.add(k.getValue());
                    if (!seen.add(k.getValue())) {
                        Mark m = k.getStartMark();
                        throw new ScenarioException(file, m.getLine() + 1, m.getColumn() + 1, render(here),
                                "'" + k.getValue() + "' is given twice");
                    }
                    rejectDuplicateKeys(file, t.getValueNode(), here);
                }
            }
        } else if (node instanceof SequenceNode seq) {
            for (int i = 0; i < seq.getValue().size(); i++) {
                List<Object> here = new ArrayList<>(path);
                here.add(i);
                rejectDuplicateKeys(file, seq.getValue().get(i), here);
            }
        }
    }

    /** Writes a scenario back as YAML, in the form {@link #parse} reads. */
    public static String write(Scenario scenario) {
        try {
            return YAML.writeValueAsString(scenario);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ScenarioException translate(Path file, Node root, JsonMappingException e) {
        List<Object> path = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            path.add(r.getFieldName() != null ? r.getFieldName() : (Object) r.getIndex());
        }
        String reason;
        String unknown = e instanceof ValueInstantiationException v ? unknownKey(root, path, v.getType().getRawClass()) : null;
        if (unknown != null) {
            // Jackson runs a record's constructor before it reports unknown keys; a typo is the real cause.
            path.add(unknown);
            reason = "unknown field '" + unknown + "' (known: " + String.join(", ", propertyNames(
                    ((ValueInstantiationException) e).getType().getRawClass())) + ")";
        } else if (e instanceof ValueInstantiationException && e.getCause() instanceof InvalidFieldException f) {
            path.addAll(parsePath(f.field()));
            reason = f.reason();
        } else if (e instanceof UnrecognizedPropertyException u) {
            if (path.isEmpty() || !u.getPropertyName().equals(path.get(path.size() - 1))) {
                path.add(u.getPropertyName());
            }
            reason = "unknown field '" + u.getPropertyName() + "' (known: "
                    + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
        } else if (e instanceof InvalidTypeIdException t) {
            reason = t.getTypeId() == null ? "needs a 'type' (one of " + knownFaultTypes() + ")"
                    : "unknown fault type '" + t.getTypeId() + "' (one of " + knownFaultTypes() + ")";
            if (!path.isEmpty() && !"type".equals(path.get(path.size() - 1))) {
                path.add("type");
            }
        } else if (e instanceof InvalidFormatException f && f.getOriginalMessage() != null
                && f.getOriginalMessage().startsWith("'")) {
            // Faultline's own sentence (Durations.parse: not a duration, or too long; a count or off).
            reason = f.getOriginalMessage();
        } else if (e instanceof InvalidFormatException f) {
            reason = "'" + f.getValue() + "' is not " + describe(f.getTargetType());
        } else if (e instanceof MismatchedInputException m) {
            reason = "expected " + describe(m.getTargetType());
        } else {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String raw = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            // Never show Java or Jackson type names to the person who wrote the file.
            reason = raw == null ? "invalid value" : raw.replaceAll("\\s*\\(of `[^`]*`\\)", "")
                    .replaceAll("`[^`]*`", "the value");
        }
        Mark mark = locate(root, path);
        int line = mark != null ? mark.getLine() + 1 : e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        int column = mark != null ? mark.getColumn() + 1 : e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
        return new ScenarioException(file, line, column, render(path), reason);
    }

    /** The first key of the mapping at {@code path} that {@code type} has no property for, or null. */
    private static String unknownKey(Node root, List<Object> path, Class<?> type) {
        if (!type.isRecord()) {
            return null;
        }
        Node node = nodeAt(root, path);
        if (!(node instanceof MappingNode map)) {
            return null;
        }
        List<String> known = propertyNames(type);
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && !known.contains(k.getValue()) && !k.getValue().equals("type")) {
                return k.getValue();
            }
        }
        return null;
    }

    private static List<String> propertyNames(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (var c : type.getRecordComponents()) {
            var p = c.getAccessor().getAnnotation(JsonProperty.class);
            names.add(p != null ? p.value() : c.getName());
        }
        return names;
    }

    private static Node nodeAt(Node root, List<Object> path) {
        Node node = root;
        for (Object step : path) {
            Child next = child(node, step);
            if (next == null) {
                return null;
            }
            node = next.node();
        }
        return node;
    }

    /** A node's child on one path step, with the position of its key when the parent is a mapping. */
    private record Child(Node node, Mark keyMark) {
    }

    private static Child child(Node node, Object step) {
        if (step instanceof String key && node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return new Child(t.getValueNode(), k.getStartMark());
                }
            }
        } else if (step instanceof Integer i && node instanceof SequenceNode seq && i < seq.getValue().size()) {
            return new Child(seq.getValue().get(i), null);
        }
        return null;
    }

    private static String knownFaultTypes() {
        return Arrays.stream(FaultSpec.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).collect(Collectors.joining(", "));
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a value of another shape";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> enumName((Enum<?>) c)).collect(Collectors.joining(", "));
        }
        if (type == Duration.class) {
            return "a duration (e.g. 500ms, 10s, 2m)";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping (key: value lines)";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list ('- ' items)";
        }
        return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static String enumName(Enum<?> constant) {
        try {
            var p = constant.getDeclaringClass().getField(constant.name())
                    .getAnnotation(JsonProperty.class);
            return p != null ? p.value() : constant.name();
        } catch (NoSuchFieldException e) {
            return constant.name();
        }
    }

    /** {@code steps[1].inject.target} → [steps, 1, inject, target]. */
    static List<Object> parsePath(String path) {
        List<Object> out = new ArrayList<>();
        for (String part : path.split("\\.")) {
            if (part.isEmpty()) {
                continue;
            }
            int bracket = part.indexOf('[');
            if (bracket < 0) {
                out.add(part);
                continue;
            }
            if (bracket > 0) {
                out.add(part.substring(0, bracket));
            }
            for (String idx : part.substring(bracket + 1).split("\\]\\[?")) {
                if (!idx.isEmpty()) {
                    out.add(Integer.parseInt(idx));
                }
            }
        }
        return out;
    }

    static String render(List<Object> path) {
        StringBuilder b = new StringBuilder();
        for (Object p : path) {
            if (p instanceof Integer i) {
                b.append('[').append(i).append(']');
            } else {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(p);
            }
        }
        return b.toString();
    }

    /** The position of the deepest node on {@code path} that exists in the file. */
    private static Mark locate(Node root, List<Object> path) {
        Node node = root;
        Mark mark = root.getStartMark();
        for (Object step : path) {
            Child next = child(node, step);
            if (next == null) {
                break;
            }
            node = next.node();
            // A scalar is best shown where its value is; a block at its key.
            mark = node instanceof ScalarNode || next.keyMark() == null ? node.getStartMark() : next.keyMark();
        }
        return mark;
    }
}

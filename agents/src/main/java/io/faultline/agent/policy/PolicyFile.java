package io.faultline.agent.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.InvalidFieldException;
import io.faultline.protocol.TextFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads an agent policy file (YAML; the format is in the README). Unknown keys are errors, so a
 * misspelt rule cannot silently widen or narrow what the agent allows. Every error names the file,
 * the line and the field.
 */
public final class PolicyFile {
    /** A policy is a few dozen lines; these bounds keep a hostile file from costing minutes or gigabytes. */
    static final int MAX_BYTES = 256 * 1024;
    static final int MAX_LINE = 4 * 1024;
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(loaderOptions()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private PolicyFile() {
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setMaxAliasesForCollections(10);
        o.setNestingDepthLimit(20);
        o.setCodePointLimit(MAX_BYTES);
        return o;
    }

    // Plain classes, not records: Jackson binds them as it reads, so an error's location is the key's own line.
    static final class Processes {
        public Boolean service;
        public List<String> pidFiles;
        public List<String> commandLines;
    }

    static final class Network {
        public List<String> cidrs;
        public List<Integer> ports;
        public Boolean brokers;
        public Boolean cutControlLink;
        public List<String> devices;
    }

    static final class Kafka {
        public List<String> topics;
        public List<String> clientIds;
        public List<String> users;
        public List<Integer> brokers;
        public List<String> groups;
    }

    static final class Raw {
        public List<String> faults;
        public String maxLease;
        public Processes processes;
        public Network network;
        public List<String> redis;
        public List<String> toxiproxy;
        public List<String> namespaces;
        public Kafka kafka;
    }

    /** An unreadable or invalid policy file; the message names the file, line and field. */
    public static final class PolicyException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        PolicyException(String message) {
            super(message);
        }
    }

    public static AgentPolicy load(Path file) {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES, MAX_LINE);
        } catch (TextFiles.UnreadableException e) {
            throw new PolicyException(file + (e.line() > 0 ? ":" + e.line() : "") + ": "
                    + (e.getMessage().equals("no such file") ? "no such policy file" : e.getMessage()));
        }
        return parse(file.toString(), text);
    }

    public static AgentPolicy parse(String name, String text) {
        if (text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
            throw new PolicyException(name + ": the policy file is empty (delete it to use the default policy)");
        }
        Raw raw;
        try {
            raw = YAML.readValue(text, Raw.class);
        } catch (UnrecognizedPropertyException e) {
            throw new PolicyException(where(name, tokenLocation(e)) + path(e) + ": unknown key; known keys: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonProcessingException syntax) {
                throw new PolicyException(where(name, syntax.getLocation()) + "not valid YAML: "
                        + firstLine(syntax.getOriginalMessage()));
            }
            throw new PolicyException(where(name, tokenLocation(e)) + path(e) + ": " + e.getOriginalMessage()
                    .replaceAll("`[^`]*`", "").replaceAll("\\s+\\(.*", ""));
        } catch (JsonProcessingException e) {
            String m = firstLine(e.getOriginalMessage());
            Matcher dup = Pattern.compile("Duplicate field '([^']*)'").matcher(m);
            if (dup.find()) {
                throw new PolicyException(where(name, e.getLocation()) + dup.group(1)
                        + ": given twice (one value would silently win)");
            }
            throw new PolicyException(where(name, e.getLocation()) + "not valid YAML: " + m);
        } catch (RuntimeException e) {
            throw new PolicyException(name + ": not a readable policy: " + e.getMessage());
        }
        if (raw == null) {
            throw new PolicyException(name + ": the policy file is empty (delete it to use the default policy)");
        }
        return build(name, text, raw);
    }

    /** ":N" for the first line holding the value quoted in {@code message}, or nothing. */
    private static String lineOf(String text, String message) {
        int q = message.indexOf('\'');
        int end = q < 0 ? -1 : message.indexOf('\'', q + 1);
        if (end < 0) {
            return "";
        }
        String value = message.substring(q + 1, end);
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(value)) {
                return ":" + (i + 1);
            }
        }
        return "";
    }

    private static AgentPolicy build(String name, String text, Raw raw) {
        AgentPolicy d = AgentPolicy.defaults();
        Set<String> faults = new LinkedHashSet<>();
        if (raw.faults != null) {
            for (String f : raw.faults) {
                if (!FaultSpec.types().contains(f)) {
                    throw new PolicyException(name + ": faults: unknown fault type '" + f + "'; known: "
                            + String.join(", ", FaultSpec.types()));
                }
                faults.add(f);
            }
            if (faults.isEmpty()) {
                throw new PolicyException(name + ": faults: an empty list would allow nothing; "
                        + "leave the key out to allow every type");
            }
        }
        Duration maxLease = d.maxLease();
        if (raw.maxLease != null) {
            try {
                maxLease = Durations.parse(raw.maxLease);
            } catch (IllegalArgumentException e) {
                throw new PolicyException(name + lineOf(text, e.getMessage()) + ": maxLease: " + e.getMessage());
            }
        }
        Processes p = raw.processes != null ? raw.processes : new Processes();
        Network n = raw.network != null ? raw.network : new Network();
        Kafka k = raw.kafka != null ? raw.kafka : new Kafka();
        Map<String, List<?>> lists = new LinkedHashMap<>();
        lists.put("processes.pidFiles", p.pidFiles);
        lists.put("processes.commandLines", p.commandLines);
        lists.put("network.cidrs", n.cidrs);
        lists.put("network.ports", n.ports);
        lists.put("network.devices", n.devices);
        lists.put("redis", raw.redis);
        lists.put("toxiproxy", raw.toxiproxy);
        lists.put("namespaces", raw.namespaces);
        lists.put("kafka.topics", k.topics);
        lists.put("kafka.clientIds", k.clientIds);
        lists.put("kafka.users", k.users);
        lists.put("kafka.brokers", k.brokers);
        lists.put("kafka.groups", k.groups);
        lists.forEach((key, list) -> {
            if (list != null && list.contains(null)) {
                String last = key.substring(key.lastIndexOf('.') + 1);
                throw new PolicyException(name + lineOf(text, "'" + last + ":'") + ": " + key
                        + ": an empty item (a lone '-', ', ,' or an anchor without a value); give a value or drop it");
            }
        });
        try {
            return new AgentPolicy(faults, maxLease, p.service == null || p.service, p.pidFiles, p.commandLines,
                    n.cidrs, n.ports, n.brokers == null || n.brokers, n.cutControlLink != null && n.cutControlLink,
                    raw.redis, raw.toxiproxy, n.devices, raw.namespaces,
                    new KafkaScope(k.topics, k.clientIds, k.users, k.brokers, k.groups));
        } catch (InvalidFieldException e) {
            throw new PolicyException(name + lineOf(text, e.getMessage()) + ": " + e.getMessage());
        }
    }

    /** Where the offending token starts (the exception's own location is where the parser stopped). */
    private static JsonLocation tokenLocation(JsonMappingException e) {
        return e.getProcessor() instanceof JsonParser p ? p.currentTokenLocation()
                : e.getLocation();
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : readable(s.lines().findFirst().orElse(s).strip());
    }

    /** The parser's words without its type names: what was found, as someone writing YAML calls it. */
    static String readable(String message) {
        Matcher m = Pattern.compile("<?org\\.yaml\\.snakeyaml\\.events\\.(\\w+)Event"
                + "(?:\\((?:anchor=)?([^)]*)\\))?>?").matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String found = switch (m.group(1)) {
                case "Alias" -> "an alias *" + (m.group(2) == null ? "" : m.group(2));
                case "SequenceStart" -> "a list";
                case "MappingStart" -> "a mapping";
                case "Scalar" -> "a value";
                default -> "something else";
            };
            m.appendReplacement(out, Matcher.quoteReplacement(found));
        }
        m.appendTail(out);
        return out.toString().replace("Expected a field name (Scalar value in YAML), got this instead:", "expected a key, got")
                .replaceAll("\\b(?:[a-z]+\\.)+[A-Z]\\w*", "a value");
    }

    private static String where(String name, JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? name + ": " : name + ":" + loc.getLineNr() + ":" + loc.getColumnNr() + ": ";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}

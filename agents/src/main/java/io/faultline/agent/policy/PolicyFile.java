package io.faultline.agent.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.faultline.protocol.Durations;
import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.InvalidFieldException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads an agent policy file (YAML; the format is in the README). Unknown keys are errors, so a
 * misspelt rule cannot silently widen or narrow what the agent allows. Every error names the file,
 * the line and the field.
 */
public final class PolicyFile {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private PolicyFile() {
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

    static final class Raw {
        public List<String> faults;
        public String maxLease;
        public Processes processes;
        public Network network;
        public List<String> redis;
        public List<String> toxiproxy;
        public List<String> namespaces;
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
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException(file + ": no such policy file");
        } catch (IOException e) {
            throw new PolicyException(file + ": cannot read: " + e.getMessage());
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
            throw new PolicyException(where(name, e.getLocation()) + "not valid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (RuntimeException e) {
            throw new PolicyException(name + ": not a readable policy: " + e.getMessage());
        }
        if (raw == null) {
            throw new PolicyException(name + ": the policy file is empty (delete it to use the default policy)");
        }
        return build(name, raw);
    }

    private static AgentPolicy build(String name, Raw raw) {
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
                throw new PolicyException(name + ": maxLease: " + e.getMessage());
            }
        }
        Processes p = raw.processes != null ? raw.processes : new Processes();
        Network n = raw.network != null ? raw.network : new Network();
        try {
            return new AgentPolicy(faults, maxLease, p.service == null || p.service, p.pidFiles, p.commandLines,
                    n.cidrs, n.ports, n.brokers == null || n.brokers, n.cutControlLink != null && n.cutControlLink,
                    raw.redis, raw.toxiproxy, n.devices, raw.namespaces);
        } catch (InvalidFieldException e) {
            throw new PolicyException(name + ": " + e.getMessage());
        }
    }

    /** Where the offending token starts (the exception's own location is where the parser stopped). */
    private static JsonLocation tokenLocation(JsonMappingException e) {
        return e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p ? p.currentTokenLocation()
                : e.getLocation();
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s).strip();
    }

    private static String where(String name, JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? name + ": " : name + ":" + loc.getLineNr() + ":" + loc.getColumnNr() + ": ";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}

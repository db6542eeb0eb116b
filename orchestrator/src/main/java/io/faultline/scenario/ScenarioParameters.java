package io.faultline.scenario;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A scenario's parameters: declared at the top with their defaults ({@code parameters: {group:
 * order-listeners, limit: 20s}}; an empty default must be given), used anywhere as
 * {@code ${name}}, and set per run with {@code --set name=value}, so one file serves staging and
 * production. A doubled dollar sign before the brace writes the text literally. The block is
 * blanked before the scenario is read, line for line, so every error still names the line of the
 * file.
 */
final class ScenarioParameters {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
    private static final Pattern USE = Pattern.compile("\\$(\\$?)\\{([^}]*)}");
    static final String KEY = "parameters";

    private ScenarioParameters() {
    }

    /** {@code text} with its parameters block blanked and every {@code ${name}} replaced. */
    static String apply(Path file, String text, Map<String, String> given, LoaderOptions options)
            throws ScenarioException {
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (RuntimeException e) {
            return text; // Not YAML: the loader says so, with its line.
        }
        Map<String, String> declared = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        if (root instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(KEY)) {
                    if (!(t.getValueNode() instanceof MappingNode params)) {
                        throw new ScenarioException(file, k.getStartMark().getLine() + 1, 1, KEY,
                                "give each parameter and its default: parameters: {name: default}");
                    }
                    for (NodeTuple p : params.getValue()) {
                        String name = p.getKeyNode() instanceof ScalarNode n ? n.getValue() : "";
                        if (!NAME.matches(name)) {
                            throw new ScenarioException(file, p.getKeyNode().getStartMark().getLine() + 1,
                                    p.getKeyNode().getStartMark().getColumn() + 1, KEY, "'" + name
                                    + "' is not a parameter name (letters, digits, _ and -, starting with a letter)");
                        }
                        declared.put(name, p.getValueNode() instanceof ScalarNode v ? v.getValue() : "");
                    }
                    int from = k.getStartMark().getLine();
                    int to = t.getValueNode().getEndMark().getLine();
                    if (t.getValueNode().getEndMark().getColumn() == 0) {
                        to--;
                    }
                    for (int i = from; i <= to && i < lines.length; i++) {
                        lines[i] = "";
                    }
                }
            }
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!declared.containsKey(e.getKey())) {
                throw new ScenarioException(file, 0, 0, KEY, "--set " + e.getKey() + ": no such parameter ("
                        + (declared.isEmpty() ? "the scenario declares none" : "declared: "
                        + String.join(", ", new TreeSet<>(declared.keySet()))) + ")");
            }
            if (e.getValue().chars().anyMatch(Character::isISOControl)) {
                throw new ScenarioException(file, 0, 0, KEY, "--set " + e.getKey() + ": a value is one line of text");
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            Matcher m = USE.matcher(lines[i]);
            StringBuilder line = new StringBuilder();
            int last = 0;
            while (m.find()) {
                line.append(lines[i], last, m.start());
                last = m.end();
                if (!m.group(1).isEmpty()) {
                    line.append("${").append(m.group(2)).append('}');
                    continue;
                }
                String name = m.group(2);
                if (!declared.containsKey(name)) {
                    throw new ScenarioException(file, i + 1, m.start() + 1, KEY, "${" + name + "} is not a declared "
                            + "parameter (" + (declared.isEmpty() ? "declare it under parameters:" : "declared: "
                            + String.join(", ", new TreeSet<>(declared.keySet()))) + ")");
                }
                String value = given.getOrDefault(name, declared.get(name));
                if (value == null || value.isEmpty()) {
                    throw new ScenarioException(file, i + 1, m.start() + 1, KEY, "parameter '" + name
                            + "' has no value: pass --set " + name + "=VALUE");
                }
                line.append(value);
            }
            line.append(lines[i].substring(last));
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}

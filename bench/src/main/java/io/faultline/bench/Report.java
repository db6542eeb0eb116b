package io.faultline.bench;

import io.faultline.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a benchmark run found: figures by section (results.json) and the same as Markdown (results.md). */
final class Report {
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> markdown = new ArrayList<>();

    void put(String section, String key, Object value) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) figures.computeIfAbsent(section, k -> new LinkedHashMap<>());
        s.put(key, value);
    }

    void md(String line) {
        markdown.add(line);
        System.out.println(line);
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), Json.encodePretty(figures) + "\n");
        Files.writeString(dir.resolve("results.md"), String.join("\n", markdown) + "\n");
    }
}

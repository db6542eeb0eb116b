package io.faultline.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The scenario loader fed mutated library scenarios and random text: it returns a scenario or a
 * {@link ScenarioException} naming the file and a line, never anything else.
 */
class ScenarioLoaderProperties {
    private static final Path FILE = Path.of("mutant.yaml");
    private static final List<String> LIBRARY = library();

    private static List<String> library() {
        try (Stream<Path> files = Files.list(ScenarioLoaderTest.SCENARIOS)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 3000)
    void mutatedScenariosLoadOrFailWithFileAndLine(@ForAll("mutants") String text) {
        Statistics.label("outcome").collect(load(text));
        Statistics.label("outcome").coverage(c -> {
            c.check("loaded").percentage(p -> p >= 10);
            c.check("rejected").percentage(p -> p >= 10);
        });
    }

    @Property(tries = 1000)
    void randomTextLoadsOrFailsWithFileAndLine(@ForAll String text) {
        Statistics.label("outcome").collect(load(text));
    }

    private static String load(String text) {
        try {
            Scenario s = ScenarioLoader.parse(FILE, text);
            assertThat(s.steps()).isNotEmpty();
            return "loaded";
        } catch (ScenarioException e) {
            assertThat(e.getMessage()).startsWith(FILE + ":").doesNotContain("io.faultline", "com.fasterxml", "\tat ");
            return "rejected";
        }
    }

    @Provide
    Arbitrary<String> mutants() {
        return Arbitraries.of(LIBRARY).flatMap(original -> {
            List<String> lines = original.lines().toList();
            Arbitrary<Integer> line = Arbitraries.integers().between(0, lines.size() - 1);
            Arbitrary<String> token = Arbitraries.of("", "-1", "0", "null", "~", "[]", "{}", "\"", "'", ":", "- x",
                    "10h", "PT-5S", "process.reboot", "KILL", "all", "\t", "999999999999999999999", "&a", "*a", "!!binary x");
            Arbitrary<String> drop = line.map(i -> join(remove(lines, i)));
            Arbitrary<String> duplicate = line.map(i -> {
                List<String> l = new ArrayList<>(lines);
                l.add(i, lines.get(i));
                return join(l);
            });
            Arbitrary<String> replaceValue = Combinators.combine(line, token).as((i, t) -> {
                List<String> l = new ArrayList<>(lines);
                String s = l.get(i);
                int colon = s.indexOf(':');
                l.set(i, colon < 0 ? t : s.substring(0, colon + 1) + " " + t);
                return join(l);
            });
            Arbitrary<String> indent = Combinators.combine(line, Arbitraries.integers().between(-4, 4)).as((i, d) -> {
                List<String> l = new ArrayList<>(lines);
                String s = l.get(i);
                l.set(i, d >= 0 ? " ".repeat(d) + s : s.substring(Math.min(-d, s.length() - s.stripLeading().length())));
                return join(l);
            });
            Arbitrary<String> truncate = Arbitraries.integers().between(0, original.length())
                    .map(n -> original.substring(0, n));
            return Arbitraries.oneOf(drop, duplicate, replaceValue, indent, truncate);
        });
    }

    private static List<String> remove(List<String> lines, int i) {
        List<String> l = new ArrayList<>(lines);
        l.remove(i);
        return l;
    }

    private static String join(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }
}

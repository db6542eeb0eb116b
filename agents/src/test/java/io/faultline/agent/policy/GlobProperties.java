package io.faultline.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * Policy globs match in linear time and as the JDK's glob matcher does: the same answer for
 * every glob form the policy accepts over random paths, and an answer at once for the long
 * hostile paths that made the JDK's backtracking matcher take minutes.
 */
class GlobProperties {
    @Property(tries = 3000)
    void matchesAsTheJdkGlobMatcherDoes(@ForAll("globs") String glob, @ForAll("paths") String path) {
        boolean jdk = FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(path));
        // The policy matches real paths, as Path prints them (no trailing or doubled /).
        assertThat(Glob.of(glob).matches(Path.of(path).toString())).as("%s against %s", glob, path).isEqualTo(jdk);
    }

    /** Paths made from the glob itself, each atom filled in, so that most of them match. */
    @Property(tries = 3000)
    void matchesAsTheJdkDoesOnPathsMadeFromTheGlob(@ForAll("instances") List<String[]> atoms) {
        String glob = String.join("", atoms.stream().map(a -> a[0]).toList());
        String path = String.join("", atoms.stream().map(a -> a[1]).toList());
        if (path.isEmpty()) {
            return;
        }
        boolean jdk = FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(path));
        // The policy matches real paths, as Path prints them (no trailing or doubled /).
        assertThat(Glob.of(glob).matches(Path.of(path).toString())).as("%s against %s", glob, path).isEqualTo(jdk);
        Statistics.label("matches").collect(jdk);
        Statistics.label("matches").coverage(c -> c.check(true).percentage(p -> p >= 30));
    }

    @Provide
    Arbitrary<List<String[]>> instances() {
        Arbitrary<String> name = Arbitraries.strings().withChars("ab.-").ofMinLength(0).ofMaxLength(3);
        Arbitrary<String> names = name.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l));
        Arbitrary<String[]> atom = Arbitraries.oneOf(
                Arbitraries.of("a", "b", ".", "-", "/", "?", "[ab]", "[!a]", "[a-c]", "{a,b}", "{ab,-}", "\\*", "/run/")
                        .map(g -> new String[] {g, switch (g) {
                            case "?", "[!a]", "{a,b}", "[ab]" -> "b";
                            case "[a-c]" -> "c";
                            case "{ab,-}" -> "-";
                            case "\\*" -> "*";
                            default -> g;
                        }}),
                name.map(n -> new String[] {"*", n}),
                names.map(n -> new String[] {"**", n}),
                name.map(n -> new String[] {"*.pid", n + ".pid"}));
        return atom.list().ofMinSize(1).ofMaxSize(6);
    }

    @Test
    void answersAtOnceForLongHostilePaths() {
        // Each of these took the JDK matcher from 37 s to 100 s.
        String dashes = "/run/orders/" + "-".repeat(2048);
        assertThat(Glob.of("/run/orders/*-*-*.pid").matches(dashes)).isFalse();
        String deep = "allowed/" + "a/".repeat(2048) + "x";
        assertThat(Glob.of("allowed/**/**/**/*.pid").matches(deep)).isFalse();
        assertThat(Glob.of("allowed/**/**/**/*.pid").matches("allowed/a/b/c/d/e.pid")).isTrue();
    }

    @Test
    void refusesWhatTheJdkRefuses() {
        for (String bad : List.of("{a,{b}}", "{a,b", "[ab", "a\\", "[a/b]")) {
            assertThatThrownBy(() -> Glob.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Provide
    Arbitrary<String> globs() {
        Arbitrary<String> atom = Arbitraries.oneOf(
                Arbitraries.of("a", "b", ".", "-", "/", "*", "**", "?", "[ab]", "[!a]", "[a-c]", "{a,b}", "{ab,-}", "\\*",
                        "*.pid", "/run/"));
        return atom.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> name = Arbitraries.strings().withChars("ab.-*c").ofMinLength(1).ofMaxLength(4);
        return Combinators.combine(Arbitraries.of("", "/"), name.list().ofMinSize(1).ofMaxSize(4))
                .as((lead, names) -> lead + String.join("/", names));
    }
}

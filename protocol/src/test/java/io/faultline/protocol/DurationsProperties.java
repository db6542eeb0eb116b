package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Durations at the edges: whatever the text, {@link Durations#parse} gives a duration within
 * 0..7 days or a sentence; it never clamps, overflows or throws anything else.
 */
class DurationsProperties {
    @Property(tries = 5000)
    void parseGivesABoundedDurationOrASentence(@ForAll("durationText") String text) {
        String outcome;
        try {
            Duration d = Durations.parse(text);
            assertThat(d).isBetween(Duration.ZERO, Durations.MAX);
            outcome = "parsed";
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("Exception", "java.");
            outcome = e.getMessage().contains("longer than the longest") ? "too long" : "not a duration";
        }
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> {
            c.check("parsed").percentage(p -> p >= 10);
            c.check("too long").percentage(p -> p >= 10);
            c.check("not a duration").percentage(p -> p >= 5);
        });
    }

    @Property(tries = 2000)
    void aBoundedDurationSurvivesTheWireAndEveryClock(@ForAll("durationText") String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (d.isZero()) {
            return;
        }
        // Whatever parses can be a lease: no instant arithmetic on it can overflow.
        Instant far = Instant.parse("2999-12-31T00:00:00Z");
        assertThat(far.plus(d)).isAfter(far);
        assertThat(Checks.positive("lease", d)).isEqualTo(d);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d.withNanos(d.toMillisPart() * 1_000_000));
    }

    @Provide
    Arbitrary<String> durationText() {
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 10_000).map(n -> Long.toString(n)),
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(n -> Long.toString(n)),
                Arbitraries.strings().numeric().ofMinLength(15).ofMaxLength(40),
                Arbitraries.doubles().between(0, 1e6).ofScale(3).map(x -> Double.toString(x)));
        Arbitrary<String> unit = Arbitraries.of("ms", "s", "m", "h", "d", "", "x", " s");
        Arbitrary<String> simple = Combinators.combine(number, unit).as((n, u) -> n + u);
        Arbitrary<String> iso = Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE / 3600), Arbitraries.of("H",
                "M", "S")).as((n, u) -> "PT" + n + u);
        return Arbitraries.oneOf(simple, simple, iso, Arbitraries.strings().ofMaxLength(80));
    }
}

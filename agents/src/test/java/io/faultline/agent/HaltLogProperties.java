package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.Halt;
import io.faultline.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The halt topic written by anyone: random sequences of real halts (past, near future, far
 * future), garbage bytes, halts without a time, truncated and mutated halt records and empty
 * records. Whatever comes between, the agent keeps the latest valid halt (none forgotten), no
 * record makes it throw, and no halt counts from later than its arrival plus the clock skew.
 */
class HaltLogProperties {
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration SKEW = Agent.HALT_CLOCK_SKEW;

    /** One record of the halt topic: its bytes, and the time it counts from if it is a valid halt (else null). */
    record Rec(byte[] bytes, Long offsetSeconds, String kind) {
    }

    @Property(tries = 1000)
    void theLatestValidHaltStandsWhateverIsWrittenAroundIt(@ForAll("sequences") List<Rec> records) {
        HaltLog log = new HaltLog(SKEW);
        Instant expected = null;
        int i = 0;
        for (Rec r : records) {
            Instant received = START.plusSeconds(i++);
            log.offer(r.bytes(), received, "#" + i);
            if (r.offsetSeconds() != null) {
                Instant at = START.plusSeconds(r.offsetSeconds());
                Instant effective = at.isAfter(received.plus(SKEW)) ? received : at;
                if (expected == null || effective.isAfter(expected)) {
                    expected = effective;
                }
            }
            assertThat(log.latest()).isEqualTo(expected);
            if (log.latest() != null) {
                assertThat(log.latest()).isBeforeOrEqualTo(received.plus(SKEW));
            }
            Statistics.label("record").collect(r.kind());
        }
        Statistics.label("record").coverage(c -> {
            c.check("halt").percentage(p -> p >= 10);
            c.check("garbage").percentage(p -> p >= 10);
            c.check("far future").percentage(p -> p >= 5);
        });
    }

    @Provide
    Arbitrary<List<Rec>> sequences() {
        Arbitrary<Rec> halt = Arbitraries.longs().between(-3600, 60).map(s -> new Rec(
                Json.encode(new Halt(START.plusSeconds(s), "r", "op")), s, "halt"));
        Arbitrary<Rec> farFuture = Arbitraries.longs().between(3600, 2_000_000_000L).map(s -> new Rec(
                Json.encode(new Halt(START.plusSeconds(s), "future", "op")), s, "far future"));
        Arbitrary<Rec> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(80).map(b -> new Rec(b, null,
                "garbage"));
        Arbitrary<Rec> noTime = Arbitraries.just(new Rec("{\"reason\":\"x\",\"issuedBy\":\"y\"}"
                .getBytes(StandardCharsets.UTF_8), null, "no time"));
        Arbitrary<Rec> empty = Arbitraries.of(new Rec(new byte[0], null, "empty"), new Rec(null, null, "tombstone"),
                new Rec("null".getBytes(StandardCharsets.UTF_8), null, "json null"));
        Arbitrary<Rec> truncated = Arbitraries.integers().between(1, 20).map(n -> {
            byte[] whole = Json.encode(new Halt(START, "cut", "op"));
            return new Rec(Arrays.copyOf(whole, Math.max(1, whole.length - n)), null, "truncated");
        });
        Arbitrary<Rec> wrongTypes = Arbitraries.of(
                "{\"at\":\"yesterday\"}", "{\"at\":[1]}", "[1,2,3]", "\"halt\"",
                "{\"at\":\"2026-13-45T99:00:00Z\"}", "{\"at\":null}")
                .map(t -> new Rec(t.getBytes(StandardCharsets.UTF_8), null, "wrong types"));
        return Arbitraries.frequencyOf(
                Tuple.of(4, halt), Tuple.of(1, farFuture), Tuple.of(3, garbage),
                Tuple.of(1, noTime), Tuple.of(1, empty), Tuple.of(1, truncated),
                Tuple.of(1, wrongTypes)).list().ofMaxSize(30);
    }
}

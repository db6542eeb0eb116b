package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** The decoders and the signature check fed random and mutated records: only their own, readable exceptions escape. */
class DecoderProperties {
    private static final List<byte[]> VALID = JsonRoundTripTest.everyWireType()
            .filter(v -> v instanceof Command || v instanceof TelemetryEvent)
            .map(Json::encode).toList();
    private static final CommandVerifier VERIFIER = new CommandVerifier(Map.of("k", KeyFiles.newKeyPair().getPublic()));

    @Property(tries = 2000)
    void randomBytesNeverEscapeAsAnythingButACodecError(@ForAll byte[] record) {
        Statistics.label("command").collect(decode(record, Command.class));
        Statistics.label("event").collect(decode(record, TelemetryEvent.class));
        Statistics.label("envelope").collect(open(record));
    }

    @Property(tries = 3000)
    void mutatedWireRecordsDecodeOrFailWithAReason(@ForAll("mutants") byte[] record) {
        Statistics.label("command").collect(decode(record, Command.class));
        Statistics.label("event").collect(decode(record, TelemetryEvent.class));
        Statistics.label("envelope").collect(open(record));
        // Mutants that decode and mutants that are refused: both branches of the codec are exercised.
        Statistics.label("command").coverage(c -> {
            c.check("decoded").count(n -> n >= 1);
            c.check("rejected").percentage(p -> p >= 50);
        });
    }

    private static String decode(byte[] record, Class<?> type) {
        try {
            Object v = Json.decode(record, type);
            return v == null ? "null" : "decoded";
        } catch (Json.JsonCodecException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\tat ", "java.", "com.fasterxml", "io.faultline",
                    "JsonToken", "[Source");
            return "rejected";
        }
    }

    private static String open(byte[] record) {
        try {
            VERIFIER.open(record);
            return "accepted";
        } catch (Rejection.Exception e) {
            assertThat(e.getMessage()).doesNotContain("java.", "com.fasterxml", "io.faultline", "JsonToken", "[Source");
            return "rejected " + e.reason().wireName();
        }
    }

    @Provide
    Arbitrary<byte[]> mutants() {
        return Arbitraries.of(VALID).flatMap(original -> {
            Arbitrary<Integer> at = Arbitraries.integers().between(0, original.length - 1);
            Arbitrary<byte[]> flip = Combinators.combine(at, Arbitraries.bytes()).as((i, b) -> {
                byte[] c = original.clone();
                c[i] = b;
                return c;
            });
            Arbitrary<byte[]> cut = Combinators.combine(at, Arbitraries.integers().between(1, 30)).as((i, n) -> {
                String s = new String(original, StandardCharsets.UTF_8);
                int from = Math.min(i, s.length());
                return (s.substring(0, from) + s.substring(Math.min(s.length(), from + n))).getBytes(StandardCharsets.UTF_8);
            });
            Arbitrary<byte[]> swap = Arbitraries.of("\"PT-1S\"", "null", "-1", "\"\"", "[]", "{}", "\"../../etc\"",
                    "\"10.0.0.1; rm -rf /\"", "1e999", "\"process.reboot\"", "true").map(token -> {
                String s = new String(original, StandardCharsets.UTF_8);
                return s.replaceFirst(":(\"[^\"]*\"|[0-9.]+|true|false)", ":" + Matcher.quoteReplacement(token))
                        .getBytes(StandardCharsets.UTF_8);
            });
            return Arbitraries.oneOf(flip, cut, swap);
        });
    }
}

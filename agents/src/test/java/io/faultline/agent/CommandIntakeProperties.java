package io.faultline.agent;

import static io.faultline.agent.IntakeFixture.CAPABILITIES;
import static io.faultline.agent.IntakeFixture.SIGNER;
import static io.faultline.agent.IntakeFixture.T0;
import static io.faultline.agent.IntakeFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.Json;
import io.faultline.protocol.SignedCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The agent's intake fed random bytes and mutated signed envelopes: nothing escapes as an
 * exception, and nothing but the genuine signed command is ever accepted.
 */
class CommandIntakeProperties {
    private static final ApplyCommand GENUINE = stop("c-genuine");
    private static final byte[] SEALED = SIGNER.seal(GENUINE);

    @Property(tries = 2000)
    void randomBytesAreNeverAccepted(@ForAll byte[] record) {
        CommandIntake.Decision d = IntakeFixture.intake().decide("agent-1", record, T0, CAPABILITIES, null);
        Statistics.label("outcome").collect(describe(d));
        assertThat(d).isInstanceOf(CommandIntake.Reject.class);
    }

    @Property(tries = 3000)
    void mutatedEnvelopesNeverRunAnythingButTheGenuineCommand(@ForAll("mutants") byte[] record) {
        CommandIntake.Decision d = IntakeFixture.intake().decide("agent-1", record, T0, CAPABILITIES, null);
        Statistics.label("outcome").collect(describe(d));
        // The mutants must reach each gate: the parser, the signature, the key id, and some get through intact.
        Statistics.label("outcome").coverage(c -> {
            c.check("rejected malformed").percentage(p -> p >= 20);
            c.check("rejected forged").percentage(p -> p >= 5);
            c.check("rejected unknown-key").count(n -> n >= 1);
            c.check("accepted").count(n -> n >= 1);
        });
        if (d instanceof CommandIntake.Accept a) {
            assertThat(a.command()).isEqualTo(GENUINE);
        }
    }

    @Property(tries = 1000)
    void mutatedCommandTextUnderTheOriginalSignatureIsRejectedAsForged(@ForAll("textMutants") String text) {
        SignedCommand good = Json.decode(SEALED, SignedCommand.class);
        byte[] record = Json.encode(new SignedCommand(good.keyId(), good.signature(), text));
        CommandIntake.Decision d = IntakeFixture.intake().decide("agent-1", record, T0, CAPABILITIES, null);
        Statistics.label("outcome").collect(describe(d));
        Statistics.label("outcome").coverage(c -> c.check("rejected forged").percentage(p -> p >= 50));
        if (!text.equals(good.command())) {
            assertThat(d).isInstanceOf(CommandIntake.Reject.class);
        }
    }

    private static String describe(CommandIntake.Decision d) {
        if (d instanceof CommandIntake.Reject r) {
            return "rejected " + r.why().reason().wireName();
        }
        return d instanceof CommandIntake.Accept ? "accepted" : "ignored";
    }

    @Provide
    Arbitrary<byte[]> mutants() {
        return Arbitraries.oneOf(flips(SEALED), cuts(SEALED), splices(SEALED));
    }

    @Provide
    Arbitrary<String> textMutants() {
        String text = Json.decode(SEALED, SignedCommand.class).command();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Arbitraries.oneOf(flips(bytes), cuts(bytes), splices(bytes))
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** One to three bytes replaced. */
    static Arbitrary<byte[]> flips(byte[] original) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, original.length - 1);
        return Combinators.combine(at.list().ofMinSize(1).ofMaxSize(3), Arbitraries.bytes().list().ofSize(3))
                .as((positions, values) -> {
                    byte[] b = original.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        b[positions.get(i)] = values.get(i);
                    }
                    return b;
                });
    }

    /** A range deleted. */
    static Arbitrary<byte[]> cuts(byte[] original) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, original.length - 1);
        return Combinators.combine(at, Arbitraries.integers().between(1, 40)).as((from, len) -> {
            int to = Math.min(original.length, from + len);
            byte[] b = new byte[original.length - (to - from)];
            System.arraycopy(original, 0, b, 0, from);
            System.arraycopy(original, to, b, from, original.length - to);
            return b;
        });
    }

    /** JSON-ish text inserted somewhere. */
    static Arbitrary<byte[]> splices(byte[] original) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, original.length);
        Arbitrary<String> junk = Arbitraries.oneOf(
                Arbitraries.of("\"", "{", "}", "[", "]", ",", ":", "null", "\\u0000", "\"kind\":\"heal\",",
                        "\"lease\":\"PT99999H\",", "\"signature\":null,", "\"keyId\":\"ops\","),
                Arbitraries.strings().ofMaxLength(20));
        return Combinators.combine(at, junk.list().ofMinSize(1).ofMaxSize(3)).as((pos, parts) -> {
            byte[] ins = String.join("", parts).getBytes(StandardCharsets.UTF_8);
            byte[] b = new byte[original.length + ins.length];
            System.arraycopy(original, 0, b, 0, pos);
            System.arraycopy(ins, 0, b, pos, ins.length);
            System.arraycopy(original, pos, b, pos + ins.length, original.length - pos);
            return b;
        });
    }

    @Property(tries = 500)
    void everyDeliveryAfterTheFirstIsAReplay(@ForAll("ids") String id) {
        CommandIntake intake = IntakeFixture.intake();
        byte[] record = SIGNER.seal(stop(id));
        List<CommandIntake.Decision> ds = List.of(intake.decide("agent-1", record, T0, CAPABILITIES, null),
                intake.decide("*", record, T0, CAPABILITIES, null));
        assertThat(ds.get(0)).isInstanceOf(CommandIntake.Accept.class);
        assertThat(ds.get(1)).isInstanceOf(CommandIntake.Reject.class);
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789.-_:").ofMinLength(1).ofMaxLength(60)
                .map(s -> "c" + s);
    }
}

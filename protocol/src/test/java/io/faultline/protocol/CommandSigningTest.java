package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandSigningTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final KeyPair OPS = KeyFiles.newKeyPair();
    private static final KeyPair OTHER = KeyFiles.newKeyPair();
    private static final Command HEAL = new HealCommand("c-1", "r-1", Target.agent("a"), "c-0", T0, T0.plusSeconds(5));

    private final CommandSigner signer = new CommandSigner("ops", OPS.getPrivate());
    private final CommandVerifier verifier = new CommandVerifier(Map.of("ops", OPS.getPublic()));

    @Test
    void opensWhatItsKeySigned() throws Exception {
        assertThat(verifier.open(signer.seal(HEAL))).isEqualTo(HEAL);
    }

    @Test
    void rejectsUnsignedForgedUnknownKeyAndMalformedRecords() {
        String text = new String(Json.encode(HEAL), StandardCharsets.UTF_8);
        assertRejected(Json.encode(HEAL), Rejection.MALFORMED);
        assertRejected(Json.encode(new SignedCommand(null, null, text)), Rejection.UNSIGNED);
        assertRejected(Json.encode(new SignedCommand("ops", null, text)), Rejection.UNSIGNED);
        assertRejected(new CommandSigner("other", OTHER.getPrivate()).seal(HEAL), Rejection.UNKNOWN_KEY);
        // Right key id, wrong key: a forgery.
        assertRejected(new CommandSigner("ops", OTHER.getPrivate()).seal(HEAL), Rejection.FORGED);
        // Signed text altered after signing.
        SignedCommand good = Json.decode(signer.seal(HEAL), SignedCommand.class);
        assertRejected(Json.encode(new SignedCommand("ops", good.signature(), text.replace("c-0", "c-9"))),
                Rejection.FORGED);
        assertRejected(Json.encode(new SignedCommand("ops", "not base64!", text)), Rejection.FORGED);
        assertRejected("garbage".getBytes(StandardCharsets.UTF_8), Rejection.MALFORMED);
        assertRejected(null, Rejection.MALFORMED);
        // A valid signature over text that is not a valid command.
        String bad = "{\"kind\":\"apply\",\"commandId\":\"x\"}";
        assertRejected(Json.encode(new SignedCommand("ops", signer.sign(bad.getBytes(StandardCharsets.UTF_8)), bad)),
                Rejection.MALFORMED);
    }

    /** The JDK's own Ed25519 is the reference: same signature bytes, and each verifies the other's. */
    @Test
    void signaturesAreTheJdksEd25519Signatures() throws Exception {
        for (int i = 0; i < 50; i++) {
            byte[] text = ("{\"kind\":\"heal\",\"n\":" + i + ",\"pad\":\"" + "x".repeat(i * 7) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(OPS.getPrivate());
            jdk.update(text);
            byte[] reference = jdk.sign();
            String ours = signer.sign(text);
            assertThat(Base64.getDecoder().decode(ours)).isEqualTo(reference);
            String json = new String(text, StandardCharsets.UTF_8);
            // A JDK signature verifies here (the text is no command, so the verdict after the signature is MALFORMED).
            assertRejected(Json.encode(new SignedCommand("ops", Base64.getEncoder().encodeToString(reference),
                    json)), Rejection.MALFORMED);
            reference[i % reference.length] ^= 1;
            assertRejected(Json.encode(new SignedCommand("ops", Base64.getEncoder().encodeToString(reference),
                    json)), Rejection.FORGED);
        }
        assertThatThrownBy(() -> new CommandVerifier(Map.of("rsa",
                KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic())))
                .hasMessageContaining("key rsa is not an Ed25519 public key");
    }

    @Test
    void writesAndReadsKeyFiles(@TempDir Path dir) throws Exception {
        List<Path> files = KeyFiles.generate(dir, "ops-2026");
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("ops-2026.key", "ops-2026.pub");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0)))).isEqualTo("rw-------");
        assertThat(Files.readString(files.get(1))).startsWith("-----BEGIN PUBLIC KEY-----");
        CommandSigner fromFile = KeyFiles.signer(files.get(0));
        assertThat(fromFile.keyId()).isEqualTo("ops-2026");
        CommandVerifier fromDir = new CommandVerifier(KeyFiles.publicKeys(List.of(dir)));
        assertThat(fromDir.keyIds()).containsExactly("ops-2026");
        assertThat(fromDir.open(fromFile.seal(HEAL))).isEqualTo(HEAL);
        assertThatThrownBy(() -> KeyFiles.generate(dir, "ops-2026")).hasMessageContaining("exists");
        assertThatThrownBy(() -> KeyFiles.readPublic(files.get(0))).hasMessageContaining("not a PEM file with a PUBLIC KEY");
        assertThatThrownBy(() -> KeyFiles.readPublic(dir.resolve("missing.pub"))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new CommandVerifier(Map.of())).hasMessageContaining("no public keys");
    }

    private void assertRejected(byte[] record, Rejection reason) {
        assertThatThrownBy(() -> verifier.open(record))
                .isInstanceOfSatisfying(Rejection.Exception.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageStartingWith(reason.wireName() + ": ");
    }

    @Test
    void renewAndCheckCommandsValidateTheirFields() {
        assertThatThrownBy(() -> new RenewCommand("c", "r", Target.agent("a"), "f", T0, T0, Duration.ZERO))
                .hasMessageContaining("lease");
        assertThatThrownBy(() -> new CheckCommand("c", "r", Target.agent("a"), null, T0, T0, Duration.ofSeconds(1)))
                .hasMessageContaining("fault");
    }
}

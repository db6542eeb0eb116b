package io.faultline.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Base64;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

/**
 * Signs commands with one Ed25519 private key, named by its key id. Keys are the JDK's; the
 * arithmetic is Bouncy Castle's (Ed25519 signatures are deterministic, so both give the same bytes).
 */
public final class CommandSigner {
    private final String keyId;
    private final Ed25519PrivateKeyParameters key;

    public CommandSigner(String keyId, PrivateKey key) {
        this.keyId = Checks.id("keyId", keyId);
        Checks.required("key", key);
        if (!KeyFiles.ALGORITHM.equalsIgnoreCase(key.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            throw new IllegalArgumentException("key " + keyId + " is a " + key.getAlgorithm() + " key, not Ed25519");
        }
        this.key = parameters(keyId, key);
    }

    private static Ed25519PrivateKeyParameters parameters(String keyId, PrivateKey key) {
        try {
            AsymmetricKeyParameter p = PrivateKeyFactory.createKey(key.getEncoded());
            if (p instanceof Ed25519PrivateKeyParameters) {
                return (Ed25519PrivateKeyParameters) p;
            }
        } catch (IOException | RuntimeException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("key " + keyId + " is not an Ed25519 private key in PKCS#8 form");
    }

    public String keyId() {
        return keyId;
    }

    /** The record value to publish: the command's JSON, signed. */
    public byte[] seal(Command command) {
        String text = new String(Json.encode(command), StandardCharsets.UTF_8);
        return Json.encode(new SignedCommand(keyId, sign(text.getBytes(StandardCharsets.UTF_8)), text));
    }

    /**
     * Signs {@code text} as it is, whether or not it is a valid command: what a holder of the key
     * could publish. Agents must still judge the text (hostile-input tests use this).
     */
    public byte[] sealText(String text) {
        return Json.encode(new SignedCommand(keyId, sign(text.getBytes(StandardCharsets.UTF_8)), text));
    }

    String sign(byte[] bytes) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        s.update(bytes, 0, bytes.length);
        return Base64.getEncoder().encodeToString(s.generateSignature());
    }
}

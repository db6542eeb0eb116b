package io.faultline.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Signs commands with one Ed25519 private key, named by its key id. */
public final class CommandSigner {
    private final String keyId;
    private final PrivateKey key;

    public CommandSigner(String keyId, PrivateKey key) {
        this.keyId = Checks.id("keyId", keyId);
        this.key = Checks.required("key", key);
        if (!KeyFiles.ALGORITHM.equalsIgnoreCase(key.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            throw new IllegalArgumentException("key " + keyId + " is a " + key.getAlgorithm() + " key, not Ed25519");
        }
    }

    public String keyId() {
        return keyId;
    }

    /** The record value to publish: the command's JSON, signed. */
    public byte[] seal(Command command) {
        String text = new String(Json.encode(command), StandardCharsets.UTF_8);
        return Json.encode(new SignedCommand(keyId, sign(text.getBytes(StandardCharsets.UTF_8)), text));
    }

    String sign(byte[] bytes) {
        try {
            Signature s = Signature.getInstance(KeyFiles.ALGORITHM);
            s.initSign(key);
            s.update(bytes);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + keyId + ": " + e.getMessage(), e);
        }
    }
}

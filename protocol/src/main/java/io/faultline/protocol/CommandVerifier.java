package io.faultline.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import java.util.TreeSet;

/**
 * Opens signed command records: checks the envelope, the key id and the Ed25519 signature, then
 * decodes the command. Never lets an exception other than {@link Rejection.Exception} escape.
 */
public final class CommandVerifier {
    private final Map<String, PublicKey> keys;

    /** @param keys the trusted public keys by key id */
    public CommandVerifier(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(keys);
        if (this.keys.isEmpty()) {
            throw new IllegalArgumentException("no public keys: an agent needs at least one to verify commands");
        }
    }

    public java.util.Set<String> keyIds() {
        return new TreeSet<>(keys.keySet());
    }

    public Command open(byte[] record) throws Rejection.Exception {
        SignedCommand envelope;
        try {
            envelope = Json.decode(record, SignedCommand.class);
        } catch (Json.JsonCodecException e) {
            throw new Rejection.Exception(Rejection.MALFORMED, e.getMessage());
        }
        if (envelope == null || envelope.command() == null) {
            throw new Rejection.Exception(Rejection.MALFORMED, "no command in the envelope");
        }
        if (envelope.keyId() == null || envelope.signature() == null) {
            throw new Rejection.Exception(Rejection.UNSIGNED, "the command carries no "
                    + (envelope.keyId() == null ? "key id" : "signature"));
        }
        PublicKey key = keys.get(envelope.keyId());
        if (key == null) {
            throw new Rejection.Exception(Rejection.UNKNOWN_KEY, "key id '" + printable(envelope.keyId())
                    + "' is not trusted here (trusted: " + String.join(", ", keyIds()) + ")");
        }
        if (!verifies(key, envelope)) {
            throw new Rejection.Exception(Rejection.FORGED, "signature does not verify with key "
                    + envelope.keyId());
        }
        try {
            return Json.decode(envelope.command(), Command.class);
        } catch (Json.JsonCodecException e) {
            throw new Rejection.Exception(Rejection.MALFORMED, e.getMessage());
        }
    }

    private static boolean verifies(PublicKey key, SignedCommand envelope) {
        try {
            byte[] signature = Base64.getDecoder().decode(envelope.signature());
            Signature s = Signature.getInstance(KeyFiles.ALGORITHM);
            s.initVerify(key);
            s.update(envelope.command().getBytes(StandardCharsets.UTF_8));
            return s.verify(signature);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}

package io.faultline.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Opens signed command records: checks the envelope, the key id and the Ed25519 signature, then
 * decodes the command. Never lets an exception other than {@link Rejection.Exception} escape.
 */
public final class CommandVerifier {
    private final Map<String, Ed25519PublicKeyParameters> keys;

    /** @param keys the trusted Ed25519 public keys by key id */
    public CommandVerifier(Map<String, PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no public keys: an agent needs at least one to verify commands");
        }
        Map<String, Ed25519PublicKeyParameters> params = new HashMap<>();
        keys.forEach((id, key) -> params.put(id, parameters(id, key)));
        this.keys = Map.copyOf(params);
    }

    static Ed25519PublicKeyParameters parameters(String keyId, PublicKey key) {
        try {
            AsymmetricKeyParameter p = PublicKeyFactory.createKey(key.getEncoded());
            if (p instanceof Ed25519PublicKeyParameters) {
                return (Ed25519PublicKeyParameters) p;
            }
        } catch (IOException | RuntimeException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("key " + keyId + " is not an Ed25519 public key");
    }

    public Set<String> keyIds() {
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
        Ed25519PublicKeyParameters key = keys.get(envelope.keyId());
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

    /**
     * The command a record claims to carry, decoded without checking its signature; null when it
     * does not decode. Only for naming what was refused (its claimed id and run) in a rejection:
     * nothing it says is acted on.
     */
    public static Command claimed(byte[] record) {
        try {
            SignedCommand envelope = Json.decode(record, SignedCommand.class);
            return envelope == null || envelope.command() == null ? null
                    : Json.decode(envelope.command(), Command.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean verifies(Ed25519PublicKeyParameters key, SignedCommand envelope) {
        return verifies(key, envelope.signature(), envelope.command().getBytes(StandardCharsets.UTF_8));
    }

    /** True when {@code base64Signature} is {@code key}'s Ed25519 signature of {@code text}. */
    static boolean verifies(Ed25519PublicKeyParameters key, String base64Signature, byte[] text) {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(base64Signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, key);
        s.update(text, 0, text.length);
        return s.verifySignature(signature);
    }

    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}

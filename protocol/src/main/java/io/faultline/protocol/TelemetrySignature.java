package io.faultline.protocol;

import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Checks who signed a telemetry record. An agent's record carries the id of its key in header
 * {@link #KEY_ID} and the Ed25519 signature of the record value's bytes in {@link #SIGNATURE}.
 * A record is accepted when the key is trusted here and the signature verifies; and when a
 * trusted key has the id of the agent the record claims to come from, only that key may sign for
 * it (a per-agent key cannot be spoken for by another key, a fleet's shared key can sign for any
 * agent that has no key of its own). Never lets an exception other than {@link Rejection.Exception}
 * escape.
 */
public final class TelemetrySignature {
    /** Header: the id of the key that signed the record. */
    public static final String KEY_ID = "faultline-key-id";
    /** Header: the Ed25519 signature of the record value, Base64. */
    public static final String SIGNATURE = "faultline-signature";

    private final Map<String, Ed25519PublicKeyParameters> keys;

    /** @param keys the trusted Ed25519 public keys by key id; at least one */
    public TelemetrySignature(Map<String, PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no public keys: at least one is needed to check telemetry");
        }
        Map<String, Ed25519PublicKeyParameters> params = new HashMap<>();
        keys.forEach((id, key) -> params.put(id, CommandVerifier.parameters(id, key)));
        this.keys = Map.copyOf(params);
    }

    public Set<String> keyIds() {
        return new TreeSet<>(keys.keySet());
    }

    /**
     * Checks that {@code value}, claiming to come from {@code agentId}, was signed by a key trusted
     * for that agent.
     *
     * @param keyId     the {@link #KEY_ID} header's value, or null when there is none
     * @param signature the {@link #SIGNATURE} header's value, or null when there is none
     * @return the id of the key that signed it
     * @throws Rejection.Exception {@link Rejection#UNSIGNED}, {@link Rejection#UNKNOWN_KEY} or
     *                             {@link Rejection#FORGED}, with a sentence that names the agent
     */
    public String check(String agentId, String keyId, String signature, byte[] value) throws Rejection.Exception {
        return check(agentId, keyId, signature, value, "agent ");
    }

    /**
     * As above, for a record from {@code agentId} that is named {@code kind} ("agent ", "source ")
     * in the sentence.
     */
    public String check(String agentId, String keyId, String signature, byte[] value, String kind)
            throws Rejection.Exception {
        String who = agentId == null ? "a record with no " + kind.trim() + " id" : kind + CommandVerifier.printable(agentId);
        if (keyId == null || signature == null) {
            throw new Rejection.Exception(Rejection.UNSIGNED, who + ": the record carries no "
                    + (keyId == null ? "key id" : "signature"));
        }
        Ed25519PublicKeyParameters key = keys.get(keyId);
        if (key == null) {
            throw new Rejection.Exception(Rejection.UNKNOWN_KEY, who + ": key id '" + CommandVerifier.printable(keyId)
                    + "' is not trusted here");
        }
        if (agentId != null && !agentId.equals(keyId) && keys.containsKey(agentId)) {
            throw new Rejection.Exception(Rejection.FORGED, who + " has a key of its own, but the record is signed"
                    + " with key " + keyId);
        }
        if (value == null || !CommandVerifier.verifies(key, signature, value)) {
            throw new Rejection.Exception(Rejection.FORGED, who + ": the signature does not verify with key " + keyId);
        }
        return keyId;
    }
}

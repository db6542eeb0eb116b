package io.faultline.protocol;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs telemetry records as a sender (an agent) publishes them: the Ed25519 signature over the
 * record value's bytes, as sent, and the id of the key, both carried in record headers
 * ({@link TelemetrySignature}), so that the value stays what every reader of the topic reads.
 */
public final class TelemetrySigner {
    private final CommandSigner signer;

    public TelemetrySigner(String keyId, PrivateKey key) {
        this.signer = new CommandSigner(keyId, key);
    }

    public String keyId() {
        return signer.keyId();
    }

    /** The signature of {@code value}, to travel in the {@link TelemetrySignature#SIGNATURE} header. */
    public String sign(byte[] value) {
        return signer.sign(value);
    }

    /** The record headers that sign {@code value}, by name, in the order they are added. */
    public Map<String, byte[]> headers(byte[] value) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put(TelemetrySignature.KEY_ID, keyId().getBytes(StandardCharsets.UTF_8));
        out.put(TelemetrySignature.SIGNATURE, sign(value).getBytes(StandardCharsets.UTF_8));
        return out;
    }
}

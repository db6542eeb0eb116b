package io.faultline.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetrySignatureTest {
    private static final KeyPair ORDERS_1 = KeyFiles.newKeyPair();
    private static final KeyPair FLEET = KeyFiles.newKeyPair();
    private static final KeyPair STRANGER = KeyFiles.newKeyPair();
    private static final byte[] VALUE = "{\"type\":\"heartbeat\",\"agentId\":\"orders-1\"}".getBytes(StandardCharsets.UTF_8);

    private final TelemetrySignature trust = new TelemetrySignature(Map.of(
            "orders-1", ORDERS_1.getPublic(), "fleet", FLEET.getPublic()));

    @Test
    void acceptsWhatATrustedKeySignedAndNamesTheKey() throws Exception {
        TelemetrySigner own = new TelemetrySigner("orders-1", ORDERS_1.getPrivate());
        assertThat(trust.check("orders-1", own.keyId(), own.sign(VALUE), VALUE)).isEqualTo("orders-1");
        TelemetrySigner fleet = new TelemetrySigner("fleet", FLEET.getPrivate());
        assertThat(trust.check("node-7", "fleet", fleet.sign(VALUE), VALUE)).isEqualTo("fleet");
    }

    @Test
    void refusesUnsignedUnknownAlteredAndImpersonatingRecords() {
        TelemetrySigner own = new TelemetrySigner("orders-1", ORDERS_1.getPrivate());
        String signature = own.sign(VALUE);
        assertRejected("orders-1", null, null, VALUE, Rejection.UNSIGNED, "agent orders-1: the record carries no key id");
        assertRejected("orders-1", "orders-1", null, VALUE, Rejection.UNSIGNED, "no signature");
        TelemetrySigner stranger = new TelemetrySigner("stranger", STRANGER.getPrivate());
        assertRejected("orders-1", "stranger", stranger.sign(VALUE), VALUE, Rejection.UNKNOWN_KEY,
                "key id 'stranger' is not trusted here");
        byte[] altered = new String(VALUE, StandardCharsets.UTF_8).replace("orders-1", "orders-2")
                .getBytes(StandardCharsets.UTF_8);
        assertRejected("orders-1", "orders-1", signature, altered, Rejection.FORGED, "does not verify with key orders-1");
        assertRejected("orders-1", "orders-1", "not base64!", VALUE, Rejection.FORGED, "does not verify");
        // A key a stranger holds under a trusted id does not verify either.
        TelemetrySigner posing = new TelemetrySigner("orders-1", STRANGER.getPrivate());
        assertRejected("orders-1", "orders-1", posing.sign(VALUE), VALUE, Rejection.FORGED, "does not verify");
        // The fleet key may not speak for an agent that has a key of its own.
        TelemetrySigner fleet = new TelemetrySigner("fleet", FLEET.getPrivate());
        assertRejected("orders-1", "fleet", fleet.sign(VALUE), VALUE, Rejection.FORGED,
                "agent orders-1 has a key of its own, but the record is signed with key fleet");
    }

    private void assertRejected(String agent, String keyId, String signature, byte[] value, Rejection reason,
                                String words) {
        assertThatThrownBy(() -> trust.check(agent, keyId, signature, value))
                .isInstanceOfSatisfying(Rejection.Exception.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(words);
    }
}

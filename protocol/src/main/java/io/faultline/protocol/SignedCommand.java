package io.faultline.protocol;

/**
 * What travels on the commands topic: a command's JSON text, the id of the key that signed it and
 * the Ed25519 signature over that text's UTF-8 bytes. The text is signed as sent, so no canonical
 * form of JSON is needed.
 */
public record SignedCommand(String keyId, String signature, String command) {
}

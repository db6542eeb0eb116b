package io.faultline.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Ed25519 key files in PEM: {@code KEYID.key} (PKCS#8, readable by its owner only) and
 * {@code KEYID.pub} (X.509). The key id is the file name without its extension.
 */
public final class KeyFiles {
    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_SUFFIX = ".key";
    public static final String PUBLIC_SUFFIX = ".pub";

    private KeyFiles() {
    }

    public static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** Writes a new key pair into {@code dir}; refuses to overwrite. Returns the two files, private first. */
    public static List<Path> generate(Path dir, String keyId) throws IOException {
        Checks.id("keyId", keyId);
        Files.createDirectories(dir);
        Path priv = dir.resolve(keyId + PRIVATE_SUFFIX);
        Path pub = dir.resolve(keyId + PUBLIC_SUFFIX);
        for (Path p : List.of(priv, pub)) {
            if (Files.exists(p)) {
                throw new IllegalArgumentException(p + " exists; choose another key id or remove it");
            }
        }
        KeyPair pair = newKeyPair();
        Files.createFile(priv);
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; the file keeps the default permissions.
        }
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        return List.of(priv, pub);
    }

    public static String keyId(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return Checks.id("key id (from file name " + name + ")", dot > 0 ? name.substring(0, dot) : name);
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = der(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key: " + e.getMessage());
        }
    }

    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = der(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 public key: " + e.getMessage());
        }
    }

    /** A signer from a private key file; the key id is the file's name. */
    public static CommandSigner signer(Path privateKeyFile) throws IOException {
        return new CommandSigner(keyId(privateKeyFile), readPrivate(privateKeyFile));
    }

    /** A telemetry signer from a private key file; the key id is the file's name. */
    public static TelemetrySigner telemetrySigner(Path privateKeyFile) throws IOException {
        return new TelemetrySigner(keyId(privateKeyFile), readPrivate(privateKeyFile));
    }

    /** The public keys in the given files, or in every {@code *.pub} file of the given directories. */
    public static Map<String, PublicKey> publicKeys(List<Path> filesOrDirs) throws IOException {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (Path p : filesOrDirs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path f : s.filter(f -> f.toString().endsWith(PUBLIC_SUFFIX)).sorted().toList()) {
                        keys.put(keyId(f), readPublic(f));
                    }
                }
            } else {
                keys.put(keyId(p), readPublic(p));
            }
        }
        return keys;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path file, String type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("key file " + file + " does not exist");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException(file + " is not a PEM file with a " + type);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(file + ": the PEM body is not base64");
        }
    }
}

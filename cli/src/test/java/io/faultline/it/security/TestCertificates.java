package io.faultline.it.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for a test with the JDK's own {@code keytool}: a CA, a broker certificate for
 * 127.0.0.1 signed by it, a client certificate signed by it (mutual TLS), the truststore that
 * trusts the CA, and a truststore of another CA that trusts nothing here. PKCS12, one password.
 */
final class TestCertificates {
    static final String PASSWORD = "test-store-pw";
    final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    Path truststore() {
        return dir.resolve("truststore.p12");
    }

    Path untrustedTruststore() {
        return dir.resolve("other-truststore.p12");
    }

    Path brokerKeystore() {
        return dir.resolve("broker.p12");
    }

    Path clientKeystore() {
        return dir.resolve("client.p12");
    }

    static TestCertificates create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir);
        c.selfSigned("ca", "CN=faultline-test-ca");
        c.keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
        c.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12");
        c.signed("broker", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        c.signed("client", "CN=faultline-agent", null);
        c.selfSigned("other-ca", "CN=someone-else");
        c.keytool("-exportcert", "-alias", "other-ca", "-keystore", "other-ca.p12", "-rfc", "-file", "other-ca.pem");
        c.keytool("-importcert", "-noprompt", "-alias", "other-ca", "-file", "other-ca.pem", "-keystore",
                "other-truststore.p12");
        return c;
    }

    private void selfSigned(String alias, String dname) throws IOException, InterruptedException {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", dname, "-ext", "bc:c",
                "-validity", "2", "-keystore", alias + ".p12");
    }

    private void signed(String alias, String dname, String san) throws IOException, InterruptedException {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", dname, "-validity", "2",
                "-keystore", alias + ".p12");
        keytool("-certreq", "-alias", alias, "-keystore", alias + ".p12", "-file", alias + ".csr");
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile",
                alias + ".csr", "-outfile", alias + ".pem", "-validity", "2", "-rfc"));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", alias + ".p12");
        keytool("-importcert", "-alias", alias, "-file", alias + ".pem", "-keystore", alias + ".p12");
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}

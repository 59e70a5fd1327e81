package dev.jbuild.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority and one server certificate it signed, made with the
 * {@code openssl} command line (no test-only crypto library): the server certificate is valid for
 * {@code IP:127.0.0.1} and {@code DNS:localhost}, so clients verify it for real, with this CA as the
 * only trust anchor.
 *
 * <p>Files, all PEM: {@code ca.crt}, {@code ca.key}, {@code server.crt}, {@code server.key}, and
 * {@code trust/ca.crt} — a directory holding only the CA, the layout
 * {@code skopeo --cert-dir}/{@code podman --cert-dir} expect (a stray {@code *.key} there would be
 * taken for a client key).
 */
public final class TestCertificateAuthority {

    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);

    private final Path directory;

    private TestCertificateAuthority(Path directory) {
        this.directory = directory;
    }

    /** Generates the CA and the server certificate into {@code directory} (created if needed). */
    public static TestCertificateAuthority create(Path directory) {
        try {
            Files.createDirectories(directory.resolve("trust"));
            // P-256 keys: generated in milliseconds, unlike RSA, and accepted by Go, Java and openssl.
            openssl(directory, "req", "-x509", "-new", "-nodes",
                    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                    "-subj", "/CN=jbuild test CA",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            openssl(directory, "req", "-new", "-nodes",
                    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
            Files.writeString(directory.resolve("server.ext"), String.join("\n",
                    "basicConstraints=critical,CA:FALSE",
                    "keyUsage=critical,digitalSignature,keyEncipherment",
                    "extendedKeyUsage=serverAuth",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost", ""));
            openssl(directory, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
            Files.copy(directory.resolve("ca.crt"), directory.resolve("trust/ca.crt"));
            return new TestCertificateAuthority(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(Path directory, String... arguments) {
        String[] commandLine = new String[arguments.length + 1];
        commandLine[0] = "openssl";
        System.arraycopy(arguments, 0, commandLine, 1, arguments.length);
        ExternalTool.command(commandLine).directory(directory).timeout(OPENSSL_TIMEOUT).runSuccessfully();
    }

    public Path directory() {
        return directory;
    }

    /** The CA certificate (PEM): the one trust anchor clients need. */
    public Path caCertificate() {
        return directory.resolve("ca.crt");
    }

    /** A directory containing only {@code ca.crt}, for {@code --cert-dir} style options. */
    public Path trustDirectory() {
        return directory.resolve("trust");
    }

    public Path serverCertificate() {
        return directory.resolve("server.crt");
    }

    public Path serverKey() {
        return directory.resolve("server.key");
    }

    /** A TLS context trusting this CA and nothing else (no system roots). */
    public SSLContext sslContext() {
        try (InputStream pem = Files.newInputStream(caCertificate())) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(pem);
            KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            trustStore.setCertificateEntry("jbuild-test-ca", ca);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + caCertificate(), e);
        }
    }
}

package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys in the forms openssl writes, each checked by signing and verifying against its certificate. */
@Integration
class PemTest {

    @TempDir
    Path dir;

    private void openssl(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        ExternalTool.command(cmd).directory(dir).runSuccessfully();
    }

    private void assertPair(String keyFile, String certFile, String signatureAlgorithm) throws Exception {
        PrivateKey key = Pem.privateKey(dir.resolve(keyFile));
        X509Certificate cert = Pem.certificates(dir.resolve(certFile)).get(0);
        byte[] data = "jbuild".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(signatureAlgorithm);
        signer.initSign(key);
        signer.update(data);
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance(signatureAlgorithm);
        verifier.initVerify(cert.getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(sig), keyFile + " does not match " + certFile);
    }

    @Test
    void rsaKeysInPkcs8AndPkcs1() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", "rsa8.key", "-out", "rsa.crt", "-days", "1", "-subj", "/CN=t");
        openssl("rsa", "-in", "rsa8.key", "-traditional", "-out", "rsa1.key");
        assertTrue(Files.readString(dir.resolve("rsa1.key")).contains("BEGIN RSA PRIVATE KEY"));
        assertPair("rsa8.key", "rsa.crt", "SHA256withRSA");
        assertPair("rsa1.key", "rsa.crt", "SHA256withRSA");
    }

    @Test
    void ecKeysInPkcs8AndSec1() throws Exception {
        openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "ec1.key");
        assertTrue(Files.readString(dir.resolve("ec1.key")).contains("BEGIN EC PRIVATE KEY"));
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec1.key", "-out", "ec8.key");
        openssl("req", "-x509", "-new", "-key", "ec1.key", "-out", "ec.crt", "-days", "1", "-subj", "/CN=t");
        assertPair("ec1.key", "ec.crt", "SHA256withECDSA");
        assertPair("ec8.key", "ec.crt", "SHA256withECDSA");
    }

    @Test
    void bundlesWithSeveralCertificatesAndNoise() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "a.key",
                "-out", "a.crt", "-days", "1", "-subj", "/CN=a");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "b.key",
                "-out", "b.crt", "-days", "1", "-subj", "/CN=b");
        Files.writeString(dir.resolve("bundle.pem"), "# corporate roots\n" + Files.readString(dir.resolve("a.crt"))
                + "\nsome text\n" + Files.readString(dir.resolve("b.crt")));
        List<X509Certificate> certs = Pem.certificates(dir.resolve("bundle.pem"));
        assertEquals(List.of("CN=a", "CN=b"), certs.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
    }

    @Test
    void clearErrors() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        IOException noCert = assertThrows(IOException.class, () -> Pem.certificates(dir.resolve("empty.pem")));
        assertTrue(noCert.getMessage().contains("no PEM certificate"), noCert.getMessage());
        IOException noKey = assertThrows(IOException.class, () -> Pem.privateKey(dir.resolve("empty.pem")));
        assertTrue(noKey.getMessage().contains("no PEM private key"), noKey.getMessage());
        openssl("genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-aes-128-cbc", "-pass", "pass:x",
                "-out", "encrypted.key");
        IOException encrypted = assertThrows(IOException.class, () -> Pem.privateKey(dir.resolve("encrypted.key")));
        assertTrue(encrypted.getMessage().contains("is encrypted"), encrypted.getMessage());
    }
}

package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Document;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.LocalRegistryExtension;
import dev.jbuild.testing.TestCertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS with a CA made by the test: --tls-ca, certs.d, insecure mode, client certificates. */
@Integration
class TlsTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.withTls();

    private static final Platform AMD64 = new Platform("linux", "amd64");

    @TempDir
    Path tmp;

    private LocalRegistry registry() {
        return REGISTRY.registry();
    }

    private ImageName name(String repoAndTag) {
        return ImageName.parse(registry().host() + "/" + repoAndTag);
    }

    /** Loopback registries count as insecure by default (as in Docker); these tests verify for real. */
    private RegistryOptions.Builder verifying() {
        return Clients.isolated(tmp).loopbackInsecure(false);
    }

    @Test
    void untrustedCertificateFailsWithAHint() throws Exception {
        try (RegistryClient client = RegistryClient.create(verifying().build())) {
            RegistryException e = assertThrows(RegistryException.class, () -> client.resolve(name("tls/app:1"), AMD64));
            assertTrue(e.getMessage().startsWith("GET https://" + registry().host() + "/v2/: TLS handshake with " + registry().host()
                    + " failed"), e.getMessage());
            assertTrue(e.getMessage().contains("--tls-ca"), e.getMessage());
            assertTrue(e.getMessage().contains("/etc/docker/certs.d/" + registry().host() + "/ca.crt"), e.getMessage());
        }
    }

    @Test
    void extraCaFilePushAndPull() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 1, 2000);
        try (RegistryClient client = RegistryClient.create(verifying().tlsCaFile(registry().caCertificate()).build())) {
            client.push(name("tls/app:1"), image, TestImages.source(store), PushOptions.defaults());
            assertEquals(image.digest(), client.resolve(name("tls/app:1"), AMD64).manifest().digest());
        }
    }

    @Test
    void certsDirectoryCa() throws Exception {
        Path certsD = tmp.resolve("certs.d");
        Files.createDirectories(certsD.resolve(registry().host()));
        Files.copy(registry().caCertificate(), certsD.resolve(registry().host()).resolve("ca.crt"));
        try (RegistryClient client = RegistryClient.create(verifying().certsDirectories(List.of(certsD)).build())) {
            assertTrue(client.headManifest(name("tls/nothing:1")).isEmpty());
        }
    }

    @Test
    void insecureRegistrySkipsVerification() throws Exception {
        try (RegistryClient client = RegistryClient.create(verifying().insecureRegistry(registry().host()).build())) {
            assertTrue(client.headManifest(name("tls/nothing:1")).isEmpty());
        }
    }

    @Test
    void clientCertificateFromCertsDirectory() throws Exception {
        TestCertificateAuthority ca = registry().certificates();
        Path dir = Files.createDirectories(tmp.resolve("mtls"));
        // A client certificate signed by the test CA, its key in PKCS#1 form as older openssl wrote it.
        ExternalTool.command("openssl", "req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "client.pkcs8.key",
                "-out", "client.csr", "-subj", "/CN=jbuild client").directory(dir).runSuccessfully();
        ExternalTool.command("openssl", "rsa", "-in", "client.pkcs8.key", "-traditional", "-out", "client.key")
                .directory(dir).runSuccessfully();
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        ExternalTool.command("openssl", "x509", "-req", "-in", "client.csr", "-CA", ca.caCertificate().toString(),
                "-CAkey", ca.directory().resolve("ca.key").toString(), "-CAcreateserial", "-days", "1",
                "-extfile", "client.ext", "-out", "client.cert").directory(dir).runSuccessfully();
        try (CustomRegistry mtls = CustomRegistry.start(dir, List.of(
                "  tls:",
                "    certificate: \"" + ca.serverCertificate() + "\"",
                "    key: \"" + ca.serverKey() + "\"",
                "    clientcas:",
                "      - \"" + ca.caCertificate() + "\""), List.of())) {
            ImageName name = ImageName.parse(mtls.host() + "/mtls/nothing:1");
            try (RegistryClient without = RegistryClient.create(verifying().tlsCaFile(ca.caCertificate()).build())) {
                IOException e = assertThrows(IOException.class, () -> without.headManifest(name));
                assertTrue(e.getMessage().contains("client certificate"), String.valueOf(e));
            }
            Path certsD = tmp.resolve("certs.d");
            Path hostDir = Files.createDirectories(certsD.resolve(mtls.host()));
            Files.copy(ca.caCertificate(), hostDir.resolve("ca.crt"));
            Files.copy(dir.resolve("client.cert"), hostDir.resolve("client.cert"));
            Files.copy(dir.resolve("client.key"), hostDir.resolve("client.key"));
            try (RegistryClient with = RegistryClient.create(verifying().certsDirectories(List.of(certsD)).build())) {
                assertTrue(with.headManifest(name).isEmpty());
            }
        }
    }
}

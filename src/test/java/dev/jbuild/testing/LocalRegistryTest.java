package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every registry variant answers the distribution API and takes a real push. */
@Integration
class LocalRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static BusyboxImage busybox;

    @BeforeAll
    static void writeImage() {
        busybox = BusyboxImage.write(work.resolve("layout"), "1");
    }

    @Test
    void plainRegistryAnswersAndTakesAPush() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            assertEquals("http://127.0.0.1:" + registry.port(), registry.baseUri().toString());
            assertEquals(200, status(registry.httpClient(), get(registry, "/v2/")));

            assertPushedWithTheLayoutsDigest(registry);
        }
    }

    @Test
    void basicAuthRegistryRejectsAnonymousRequestsAndAcceptsItsCredentials() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithBasicAuth()) {
            HttpResponse<String> anonymous = registry.httpClient().send(get(registry, "/v2/").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "),
                    anonymous.headers().toString());

            LocalRegistry.Credentials credentials = registry.requireCredentials();
            assertEquals(200, status(registry.httpClient(),
                    get(registry, "/v2/").header("Authorization", credentials.basicAuthorizationHeader())));
            assertEquals(401, status(registry.httpClient(), get(registry, "/v2/")
                    .header("Authorization", new LocalRegistry.Credentials(credentials.username(), "wrong")
                            .basicAuthorizationHeader())));

            assertPushedWithTheLayoutsDigest(registry);
            // Without credentials skopeo is refused: the push above really went through auth.
            ExternalTool.command("skopeo", "inspect", "--tls-verify=false", "--no-creds",
                    "docker://" + registry.reference("busybox", "1")).run().assertFailure();
        }
    }

    @Test
    void tlsRegistryIsVerifiedWithTheGeneratedCaOnly() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithTls()) {
            assertEquals("https://127.0.0.1:" + registry.port(), registry.baseUri().toString());
            assertTrue(Files.readString(registry.caCertificate()).startsWith("-----BEGIN CERTIFICATE-----"));
            assertEquals(200, status(registry.httpClient(), get(registry, "/v2/")));

            // The JDK's default trust store does not know the test CA: the handshake must fail.
            HttpClient systemTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(SSLException.class, () -> status(systemTrust, get(registry, "/v2/")));

            assertPushedWithTheLayoutsDigest(registry);
        }
    }

    @Test
    void tlsWithBasicAuthRegistryTakesAPushWithCredentials() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithTlsAndBasicAuth()) {
            assertEquals(401, status(registry.httpClient(), get(registry, "/v2/")));
            assertEquals(200, status(registry.httpClient(), get(registry, "/v2/")
                    .header("Authorization", registry.requireCredentials().basicAuthorizationHeader())));

            assertPushedWithTheLayoutsDigest(registry);
        }
    }

    @Test
    void closeStopsTheRegistryAndDeletesItsFiles() throws Exception {
        LocalRegistry registry = LocalRegistry.startPlain();
        Path log = registry.logFile();
        assertTrue(Files.exists(log));

        registry.close();

        assertFalse(Files.exists(log.getParent()), "temporary directory deleted");
        assertThrows(IOException.class, () -> status(HttpClient.newHttpClient(), get(registry, "/v2/")));
    }

    @Test
    void writesADockerConfigWithTheCredentials(@TempDir Path dockerConfig) throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithBasicAuth()) {
            JsonNode config = JSON.readTree(registry.writeDockerConfig(dockerConfig).toFile());
            // skopeo reads the same file format: pushing with it proves the entry is right.
            List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet",
                    "--dest-tls-verify=false", "--dest-authfile", dockerConfig.resolve("config.json").toString(),
                    busybox.ociReference(), "docker://" + registry.reference("from-config", "1")));
            ExternalTool.command(command).runSuccessfully();
            assertTrue(config.path("auths").has(registry.host()), config.toString());
        }
    }

    /** skopeo pushes the layout's image; the registry then serves the very same manifest digest. */
    private static void assertPushedWithTheLayoutsDigest(LocalRegistry registry) throws IOException {
        String reference = busybox.pushTo(registry);
        assertEquals(registry.host() + "/busybox:1", reference);

        List<String> inspect = new ArrayList<>(List.of("skopeo", "inspect"));
        inspect.addAll(registry.skopeoOptions(""));
        inspect.add("docker://" + reference);
        JsonNode result = JSON.readTree(ExternalTool.command(inspect).runSuccessfully().stdout());
        assertEquals(busybox.manifestDigest(), result.path("Digest").asText(), registry.logForFailure());
        assertEquals(busybox.layerDigest(), result.path("Layers").path(0).asText());
    }

    private static HttpRequest.Builder get(LocalRegistry registry, String path) {
        return HttpRequest.newBuilder(registry.baseUri().resolve(path)).timeout(Duration.ofSeconds(10));
    }

    private static int status(HttpClient client, HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistryExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that cannot be reached: the failure names the request (method and URL) and the cause,
 * and only causes that can pass are retried.
 */
@Integration
class UnreachableRegistryTest {

    @RegisterExtension
    static final LocalRegistryExtension PLAIN = LocalRegistryExtension.plain();

    private static final Platform AMD64 = new Platform("linux", "amd64");

    @TempDir
    Path tmp;

    private final List<String> retries = new CopyOnWriteArrayList<>();

    private RegistryClient client() {
        return RegistryClient.create(Clients.isolated(tmp).maxAttempts(3).listener(new RegistryListener() {
            @Override
            public void retrying(String operation, int attempt, Duration delay, String reason) {
                retries.add(attempt + " " + operation + ": " + reason);
            }
        }).build());
    }

    /** A loopback port nothing listens on: bound, then closed. */
    private static int refusingPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aRefusedConnectionNamesTheUrlAndIsRetried() throws Exception {
        String host = "127.0.0.1:" + refusingPort();
        try (RegistryClient client = client()) {
            IOException e = assertThrows(IOException.class, () -> client.resolve(ImageName.parse(host + "/app:1"), AMD64));
            String request = "GET https://" + host + "/v2/: connection refused";
            assertEquals("pulling manifest " + host + "/app:1 failed: " + request + " (gave up after 3 attempts)", e.getMessage());
            assertEquals(List.of("2 pulling manifest " + host + "/app:1: " + request,
                    "3 pulling manifest " + host + "/app:1: " + request), retries, "one event per retry, numbered as the attempt to come");
        }
    }

    @Test
    void anUnknownHostFailsAtOnce() throws Exception {
        try (RegistryClient client = client()) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> client.resolve(ImageName.parse("nosuch.invalid/app:1"), AMD64));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals("GET https://nosuch.invalid/v2/: unknown host nosuch.invalid", e.getMessage());
            assertEquals(List.of(), retries, "a name that does not resolve is not retried");
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
        }
    }

    @Test
    void docker_io_isNamedByTheHostTried() throws Exception {
        // Through a proxy that refuses, so that no test reaches the real Docker Hub: the URL is its API host.
        int proxyPort = refusingPort();
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).maxAttempts(1)
                .environment(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + proxyPort)).build())) {
            IOException e = assertThrows(IOException.class, () -> client.resolve(ImageName.parse("alpine:3"), AMD64));
            assertEquals("pulling manifest alpine:3 failed: GET https://registry-1.docker.io/v2/ (through the proxy 127.0.0.1:"
                    + proxyPort + "): connection refused (gave up after 1 attempts)", e.getMessage());
        }
    }

    @Test
    void aPortThatDoesNotSpeakTlsIsNotRetried() throws Exception {
        // A Go HTTP server (the registry) answers a TLS hello with a plain HTTP 400.
        String host = PLAIN.registry().host();
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).loopbackInsecure(false).maxAttempts(3)
                .listener(new RegistryListener() {
                    @Override
                    public void retrying(String operation, int attempt, Duration delay, String reason) {
                        retries.add(reason);
                    }
                }).build())) {
            IOException e = assertThrows(IOException.class, () -> client.resolve(ImageName.parse(host + "/app:1"), AMD64));
            assertTrue(e.getMessage().startsWith("GET https://" + host + "/v2/: TLS handshake with " + host + " failed: "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("the port does not speak TLS; for a registry that speaks plain HTTP use"
                    + " --insecure-registry " + host), e.getMessage());
            assertEquals(List.of(), retries);
        }
    }
}

package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.store.Store;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistryExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Redirects that must not leak credentials, the User-Agent, and HTTP proxies from the environment. */
@Integration
class TransportTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.plain();

    @TempDir
    Path tmp;

    private static HttpServer server(String path, HttpHandler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        s.createContext(path, handler);
        s.start();
        return s;
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    @Test
    void blobRedirectToStorageCarriesNoAuthorization() throws Exception {
        byte[] content = TestImages.bytes(5, 10_000);
        Descriptor blob = Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, content);
        List<String> storageAuth = new CopyOnWriteArrayList<>();
        List<String> registryAuth = new CopyOnWriteArrayList<>();
        HttpServer storage = server("/", ex -> {
            storageAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            send(ex, 200, Map.of("Content-Type", "application/octet-stream"), content);
        });
        // Basic auth in front of everything; blobs redirect to "S3" with a signed URL.
        HttpServer registry = server("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                send(ex, 401, Map.of("WWW-Authenticate", "Basic realm=\"test\"", "Content-Type", "application/json"),
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes());
                return;
            }
            registryAuth.add(auth);
            if (ex.getRequestURI().getPath().contains("/blobs/")) {
                send(ex, 307, Map.of("Location", "http://localhost:" + storage.getAddress().getPort() + "/bucket/blob?X-Amz-Signature=abc"),
                        new byte[0]);
                return;
            }
            send(ex, 200, Map.of(), new byte[0]);
        });
        try {
            String host = "127.0.0.1:" + registry.getAddress().getPort();
            Store store = Store.open(tmp.resolve("store"));
            RegistryOptions options = Clients.isolated(tmp).plainHttpRegistry(host)
                    .credentials(host, Credentials.basic("u", "p")).build();
            try (RegistryClient client = RegistryClient.create(options)) {
                client.fetchBlob(ImageName.parse(host + "/repo/app:1"), blob, TestImages.sink(store));
            }
            assertArrayEquals(content, store.readBytes(blob.digest()));
            assertEquals(List.of("null"), storageAuth);
            assertTrue(registryAuth.stream().allMatch(a -> a.startsWith("Basic ")), registryAuth.toString());
        } finally {
            registry.stop(0);
            storage.stop(0);
        }
    }

    @Test
    void httpProxyFromTheEnvironmentIsUsedForNonLoopbackRegistries() throws Exception {
        URI upstream = REGISTRY.registry().baseUri();
        HttpClient forwarder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        List<String> proxied = new CopyOnWriteArrayList<>();
        List<String> userAgents = new CopyOnWriteArrayList<>();
        // A forward proxy: requests arrive in absolute form for registry.invalid, which it maps to the real registry.
        HttpServer proxy = server("/", ex -> {
            URI requested = ex.getRequestURI();
            proxied.add(requested.getHost() + ":" + requested.getPort() + " " + ex.getRequestMethod() + " " + requested.getPath());
            userAgents.add(ex.getRequestHeaders().getFirst("User-Agent"));
            try {
                HttpResponse<InputStream> r = forwarder.send(HttpRequest.newBuilder(upstream.resolve(requested.getRawPath()))
                        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                byte[] body = r.body().readAllBytes();
                r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
                send(ex, r.statusCode(), Map.of(), ex.getRequestMethod().equals("HEAD") ? new byte[0] : body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            Map<String, String> env = Map.of("HTTP_PROXY", "http://127.0.0.1:" + proxy.getAddress().getPort(), "NO_PROXY", "other.example");
            RegistryOptions options = Clients.isolated(tmp).environment(env).plainHttpRegistry("registry.invalid:5000")
                    .userAgent("jbuild/test").build();
            try (RegistryClient client = RegistryClient.create(options)) {
                assertTrue(client.headManifest(ImageName.parse("registry.invalid:5000/proxied/none:1")).isEmpty());
            }
            assertEquals(List.of("registry.invalid:5000 GET /v2/", "registry.invalid:5000 HEAD /v2/proxied/none/manifests/1"), proxied);
            assertEquals(List.of("jbuild/test", "jbuild/test"), userAgents);
        } finally {
            proxy.stop(0);
        }
    }

    /** Choosing an insecure registry's scheme asks GET /v2/ without credentials: that answer is also the auth ping. */
    @Test
    void anInsecureRegistryIsAskedForV2Once() throws Exception {
        String agent = "jbuild/one-ping-" + System.nanoTime();
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).userAgent(agent).build())) {
            assertTrue(client.headManifest(ImageName.parse(REGISTRY.registry().host() + "/ping/none:1")).isEmpty());
            assertTrue(client.headManifest(ImageName.parse(REGISTRY.registry().host() + "/ping/other:1")).isEmpty());
        }
        List<String> requests = REGISTRY.registry().log().lines()
                .filter(l -> l.startsWith("127.0.0.1 - ") && l.contains(agent))
                .map(l -> l.substring(l.indexOf('"') + 1, l.indexOf(" HTTP/1.1\"")))
                .toList();
        assertEquals(List.of("GET /v2/", "HEAD /v2/ping/none/manifests/1", "HEAD /v2/ping/other/manifests/1"), requests);
    }

    /**
     * A client's HTTP threads end with it: a selector thread left waiting in native code holds up
     * the JVM's exit by 0.3 s (HotSpot waits for such threads), which was a third of a re-push.
     */
    @Test
    void closingTheClientEndsItsSelectorThreads() throws Exception {
        Set<Thread> before = selectorThreads();
        Set<Thread> started;
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).build())) {
            ImageName name = ImageName.parse(REGISTRY.registry().host() + "/threads/none:1");
            assertTrue(client.headManifest(name).isEmpty());
            started = selectorThreads();
            started.removeAll(before);
            assertFalse(started.isEmpty(), "the request ran on a java.net.http client with a selector thread");
        }
        for (Thread thread : started) {
            thread.join(2_000);
            assertFalse(thread.isAlive(), thread.getName() + " still runs after the client was closed");
        }
    }

    private static Set<Thread> selectorThreads() {
        Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeIf(t -> !t.getName().endsWith("-SelectorManager") || !t.isAlive());
        return threads;
    }

    @Test
    void defaultUserAgentNamesJbuild() {
        assertTrue(RegistryOptions.defaults().userAgent().startsWith("jbuild/"));
        assertNull(RegistryOptions.builder().build().dockerConfigFile());
    }
}

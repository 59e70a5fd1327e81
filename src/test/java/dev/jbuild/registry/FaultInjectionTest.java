package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistryExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault-injecting forwarder between jbuild and a real registry: transient faults (503, 429
 * with Retry-After, connections cut mid-blob, stalls, slow answers) are ridden out with identical
 * results; permanent ones fail with a message naming what and why, and leave the store clean.
 */
@Integration
class FaultInjectionTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.plain();

    private static final Platform AMD64 = new Platform("linux", "amd64");
    private static final String UNAVAILABLE = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"maintenance\"}]}";

    @TempDir
    Path tmp;

    private FaultProxy proxy;
    private final List<String> retries = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startProxy() throws IOException {
        proxy = FaultProxy.forward(REGISTRY.registry().baseUri());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private RegistryOptions.Builder options() {
        // The proxy speaks plain HTTP and, unlike Go servers, never answers a TLS hello: skip the HTTPS probe.
        return Clients.isolated(tmp).plainHttpRegistry(proxy.host()).listener(new RegistryListener() {
            @Override
            public void retrying(String operation, int attempt, Duration delay, String reason) {
                retries.add(operation + " | " + reason);
            }
        });
    }

    private ImageName viaProxy(String repoAndTag) {
        return ImageName.parse(proxy.host() + "/" + repoAndTag);
    }

    /** Pushes an image directly (no faults) and returns it. */
    private Document<Manifest> seed(Store store, String repoAndTag, int... sizes) throws IOException {
        Document<Manifest> image = TestImages.image(store, AMD64, repoAndTag.hashCode(), sizes);
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).build())) {
            client.push(ImageName.parse(REGISTRY.registry().host() + "/" + repoAndTag), image, TestImages.source(store),
                    PushOptions.defaults());
        }
        return image;
    }

    private static void assertNoLeftovers(Store store) throws IOException {
        try (Stream<Path> tmpFiles = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), tmpFiles.toList(), "partial downloads left in the store");
        }
    }

    @Test
    void pullRidesOutServiceUnavailableAndTooManyRequests() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/pull:1", 50_000);
        proxy.inject(FaultProxy.request("GET", "/manifests/"), FaultProxy.Fault.status(503, UNAVAILABLE), 2);
        proxy.inject(FaultProxy.request("GET", "/blobs/"), FaultProxy.Fault.status(429,
                "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}", Map.of("Retry-After", "1")), 1);
        Store store = Store.open(tmp.resolve("store"));
        long start = System.nanoTime();
        try (RegistryClient client = RegistryClient.create(options().build())) {
            ResolvedImage r = client.resolve(viaProxy("faults/pull:1"), AMD64);
            assertEquals(image.digest(), r.manifest().digest());
            client.fetchBlobs(viaProxy("faults/pull:1"), r.manifest().value().layers(), TestImages.sink(store));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(950)) >= 0, "Retry-After: 1 was not honoured: " + took);
        assertEquals(3, retries.size(), retries.toString());
        assertTrue(retries.get(0).contains("HTTP 503 Service Unavailable: UNAVAILABLE: maintenance"), retries.get(0));
        assertTrue(retries.get(2).contains("HTTP 429"), retries.get(2));
        Descriptor layer = image.value().layers().get(0);
        assertArrayEquals(source.readBytes(layer.digest()), store.readBytes(layer.digest()));
    }

    @Test
    void droppedConnectionMidBlobResumesWithRange() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/resume:1", 400_000);
        Descriptor layer = image.value().layers().get(0);
        proxy.inject(FaultProxy.request("GET", "/blobs/" + layer.digest()), FaultProxy.Fault.dropAfter(150_000), 1);
        Store store = Store.open(tmp.resolve("store"));
        try (RegistryClient client = RegistryClient.create(options().build())) {
            client.fetchBlob(viaProxy("faults/resume:1"), layer, TestImages.sink(store));
        }
        assertArrayEquals(source.readBytes(layer.digest()), store.readBytes(layer.digest()));
        List<FaultProxy.Seen> gets = proxy.seen().stream()
                .filter(s -> s.method().equals("GET") && s.path().contains("/blobs/")).toList();
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(null, gets.get(0).range());
        assertTrue(gets.get(1).range() != null && gets.get(1).range().startsWith("bytes="), gets.toString());
        long resumedAt = Long.parseLong(gets.get(1).range().substring("bytes=".length(), gets.get(1).range().length() - 1));
        assertTrue(resumedAt > 0 && resumedAt <= 150_000, "resumed at " + resumedAt);
        assertNoLeftovers(store);
    }

    @Test
    void droppedConnectionWithoutRangeSupportStartsOver() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/norange:1", 300_000);
        Descriptor layer = image.value().layers().get(0);
        String blobPath = "/blobs/" + layer.digest();
        proxy.inject(FaultProxy.request("GET", blobPath), FaultProxy.Fault.dropAfter(100_000), 1);
        proxy.inject(FaultProxy.request("GET", blobPath), FaultProxy.Fault.noRanges(), 1);
        Store store = Store.open(tmp.resolve("store"));
        try (RegistryClient client = RegistryClient.create(options().build())) {
            client.fetchBlob(viaProxy("faults/norange:1"), layer, TestImages.sink(store));
        }
        assertArrayEquals(source.readBytes(layer.digest()), store.readBytes(layer.digest()));
        assertNoLeftovers(store);
    }

    @Test
    void stalledAndSlowResponsesAreAbandonedAndRetried() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/slow:1", 200_000);
        Descriptor layer = image.value().layers().get(0);
        proxy.inject(FaultProxy.request("GET", "/manifests/"), FaultProxy.Fault.delay(Duration.ofMillis(1500)), 1);
        proxy.inject(FaultProxy.request("GET", "/blobs/" + layer.digest()),
                FaultProxy.Fault.stallAfter(64 * 1024, Duration.ofMillis(1500)), 1);
        Store store = Store.open(tmp.resolve("store"));
        RegistryOptions options = options().responseTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofMillis(500)).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            ResolvedImage r = client.resolve(viaProxy("faults/slow:1"), AMD64);
            client.fetchBlobs(viaProxy("faults/slow:1"), r.manifest().value().layers(), TestImages.sink(store));
        }
        assertArrayEquals(source.readBytes(layer.digest()), store.readBytes(layer.digest()));
        assertEquals(2, retries.size(), retries.toString());
        assertTrue(retries.get(0).contains("timed out"), retries.get(0));
        assertTrue(retries.get(1).contains("no data from the registry"), retries.get(1));
    }

    @Test
    void pushRestartsUploadsAfterFailuresAndEndsIdentical() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 77, 250_000, 3000);
        proxy.inject(FaultProxy.request("PATCH", "/blobs/uploads/"), FaultProxy.Fault.status(503, UNAVAILABLE), 1);
        proxy.inject(FaultProxy.request("PUT", "/blobs/uploads/"), FaultProxy.Fault.status(500,
                "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"disk hiccup\"}]}"), 1);
        proxy.inject(FaultProxy.request("POST", "/blobs/uploads/"), FaultProxy.Fault.status(502, ""), 1);
        proxy.inject(FaultProxy.request("PUT", "/manifests/"), FaultProxy.Fault.status(503, UNAVAILABLE), 1);
        RegistryOptions options = options().uploadChunking(100_000, 80_000).parallelism(1).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            PushResult r = client.push(viaProxy("faults/push:1"), image, TestImages.source(store), PushOptions.defaults());
            assertEquals(image.digest(), r.digest());
            assertEquals(3, r.uploaded());
        }
        assertEquals(4, retries.size(), retries.toString());
        String inspected = ExternalTool.command("skopeo", "inspect", "--tls-verify=false", "--no-creds", "--format", "{{.Digest}}",
                "docker://" + REGISTRY.registry().host() + "/faults/push:1").runSuccessfully().stdout().strip();
        assertEquals(image.digest().toString(), inspected);
    }

    @Test
    void registryMinimumChunkSizeIsHonoured() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 78, 300_000);
        proxy.inject(FaultProxy.request("POST", "/blobs/uploads/"),
                FaultProxy.Fault.addHeaders(Map.of("OCI-Chunk-Min-Length", "200000")), 10);
        RegistryOptions options = options().uploadChunking(100, 64 * 1024).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            client.push(viaProxy("faults/minchunk:1"), image, TestImages.source(store), PushOptions.defaults());
        }
        // The 300,000-byte layer in 200,000 + 100,000, not in five 64 KiB pieces; the config in one.
        List<FaultProxy.Seen> patches = proxy.seen().stream().filter(s -> s.method().equals("PATCH")).toList();
        assertEquals(3, patches.size(), patches.toString());
        Store pulled = Store.open(tmp.resolve("pulled"));
        try (RegistryClient client = RegistryClient.create(options().build())) {
            client.fetchBlobs(viaProxy("faults/minchunk:1"), image.value().layers(), TestImages.sink(pulled));
        }
        assertArrayEquals(store.readBytes(image.value().layers().get(0).digest()),
                pulled.readBytes(image.value().layers().get(0).digest()));
    }

    @Test
    void permanentFailureNamesTheBlobAndLeavesTheStoreClean() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/down:1", 120_000, 5000);
        Descriptor big = image.value().layers().get(0);
        proxy.inject(FaultProxy.request("GET", "/blobs/" + big.digest()), FaultProxy.Fault.dropAfter(0), 1_000);
        Store store = Store.open(tmp.resolve("store"));
        RegistryOptions options = options().maxAttempts(3).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            ResolvedImage r = client.resolve(viaProxy("faults/down:1"), AMD64);
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.fetchBlobs(viaProxy("faults/down:1"), r.manifest().value().layers(), TestImages.sink(store)));
            assertTrue(e.getMessage().contains("pulling blob " + big.digest() + " from " + proxy.host() + "/faults/down"), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
        }
        assertFalse(store.has(big.digest()));
        assertNoLeftovers(store);

        proxy.clearFaults();
        proxy.inject(FaultProxy.request("GET", "/blobs/"), FaultProxy.Fault.status(503, UNAVAILABLE), 1_000);
        try (RegistryClient client = RegistryClient.create(options)) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.fetchBlob(viaProxy("faults/down:1"), big, TestImages.sink(store)));
            assertEquals(503, e.statusCode());
            assertTrue(e.getMessage().startsWith("pulling blob " + big.digest() + " from " + proxy.host()
                    + "/faults/down failed: HTTP 503 Service Unavailable: UNAVAILABLE: maintenance"), e.getMessage());
        }
        assertFalse(store.has(big.digest()));
        assertNoLeftovers(store);
    }

    @Test
    void corruptContentIsRejectedAndNothingIsKept() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/corrupt:1", 70_000);
        Descriptor layer = image.value().layers().get(0);
        proxy.inject(FaultProxy.request("GET", "/blobs/" + layer.digest()), FaultProxy.Fault.corrupt(), 1);
        Store store = Store.open(tmp.resolve("store"));
        try (RegistryClient client = RegistryClient.create(options().build())) {
            DigestMismatchException e = assertThrows(DigestMismatchException.class,
                    () -> client.fetchBlob(viaProxy("faults/corrupt:1"), layer, TestImages.sink(store)));
            assertTrue(e.getMessage().contains("content digest mismatch: expected " + layer.digest()), e.getMessage());
        }
        assertFalse(store.has(layer.digest()));
        assertNoLeftovers(store);
        assertTrue(retries.isEmpty(), "a digest mismatch is not retried: " + retries);
    }

    @Test
    void schemaOneManifestsAreRefusedWithAClearMessage() throws Exception {
        byte[] schema1 = ("{\"schemaVersion\":1,\"name\":\"old/app\",\"tag\":\"1\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[],\"history\":[]}").getBytes(StandardCharsets.UTF_8);
        proxy.inject(FaultProxy.request("GET", "/manifests/"),
                FaultProxy.Fault.respond(200, MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST, schema1), 1);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            InvalidDocumentException e = assertThrows(InvalidDocumentException.class,
                    () -> client.resolve(viaProxy("old/app:1"), AMD64));
            assertTrue(e.getMessage().startsWith(proxy.host() + "/old/app:1: image manifest schema 1"), e.getMessage());
        }
    }

    private long requests(String method, String pathPart) {
        return proxy.seen().stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
    }

    /** A manifest that claims more than the disk holds fails before a byte of that layer is asked for. */
    @Test
    void aLayerLargerThanTheFreeSpaceFailsBeforeItsDownload() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/huge:1", 10_000);
        Descriptor real = image.value().layers().get(0);
        Store store = Store.open(tmp.resolve("store"));
        long free = Files.getFileStore(store.root()).getUsableSpace();
        long claimed = Math.max(1L << 40, free * 2);
        Descriptor huge = new Descriptor(real.mediaType(), real.digest(), claimed);
        Document<Manifest> lying = ImageDocuments.encode(
                new Manifest(MediaTypes.OCI_MANIFEST, image.value().config(), List.of(huge)));
        proxy.inject(FaultProxy.request("GET", "/manifests/"), FaultProxy.Fault.respond(200, MediaTypes.OCI_MANIFEST, lying.bytes()), 1);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            ResolvedImage r = client.resolve(viaProxy("faults/huge:1"), AMD64);
            IOException e = assertThrows(IOException.class,
                    () -> client.fetchBlobs(viaProxy("faults/huge:1"), r.manifest().value().layers(), TestImages.sink(store)));
            assertTrue(e.getMessage().startsWith("no space left on device writing " + store.temporaryDirectory().resolve("blob-")),
                    e.getMessage());
            assertTrue(e.getMessage().contains("(store: " + store.root() + "): blob " + real.digest() + " of " + claimed
                    + " bytes ("), e.getMessage());
            assertTrue(e.getMessage().endsWith(" free; free space or choose another store with --root"), e.getMessage());
        }
        assertEquals(0, requests("GET", "/blobs/" + real.digest()), "the layer was never asked for: " + proxy.seen());
        assertTrue(retries.isEmpty(), retries.toString());
        assertNoLeftovers(store);
    }

    /** A body that goes on past its declared size is cut there: nothing beyond it is written, and nothing kept. */
    @Test
    void aBlobThatNeverEndsIsCutAtItsDeclaredSize() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/endless:1", 100_000);
        Descriptor layer = image.value().layers().get(0);
        proxy.inject(FaultProxy.request("GET", "/blobs/" + layer.digest()), FaultProxy.Fault.endless(), 10);
        Store store = Store.open(tmp.resolve("store"));
        long start = System.nanoTime();
        try (RegistryClient client = RegistryClient.create(options().build())) {
            DigestMismatchException e = assertThrows(DigestMismatchException.class,
                    () -> client.fetchBlob(viaProxy("faults/endless:1"), layer, TestImages.sink(store)));
            assertTrue(e.getMessage().contains(layer.digest().toString()) && e.getMessage().contains("100000"), e.getMessage());
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0, "cut at once");
        assertEquals(1, requests("GET", "/blobs/" + layer.digest()), "not retried");
        assertFalse(store.has(layer.digest()));
        assertNoLeftovers(store);
    }

    /**
     * A registry that sends a byte now and then never trips the read timeout; the deadline (the
     * response timeout plus the size at the minimum rate) ends it, once, saying how to change it.
     */
    @Test
    void aTricklingRegistryFailsWithinTheDeadlineForItsSize() throws Exception {
        Store source = Store.open(tmp.resolve("source"));
        Document<Manifest> image = seed(source, "faults/trickle:1", 3000);
        Descriptor layer = image.value().layers().get(0);
        proxy.inject(FaultProxy.request("GET", "/blobs/" + layer.digest()), FaultProxy.Fault.trickle(Duration.ofMillis(50)), 10);
        Store store = Store.open(tmp.resolve("store"));
        // 1 s + 3000 bytes at 1000 bytes/s: 4 s; the read timeout (20 s) alone would wait for the whole minute.
        RegistryOptions options = options().responseTimeout(Duration.ofSeconds(1)).minTransferRate(1000).build();
        long start = System.nanoTime();
        try (RegistryClient client = RegistryClient.create(options)) {
            IOException e = assertThrows(IOException.class,
                    () -> client.fetchBlob(viaProxy("faults/trickle:1"), layer, TestImages.sink(store)));
            String message = e.getMessage();
            assertTrue(message.startsWith("pulling blob " + layer.digest() + " from " + proxy.host() + "/faults/trickle took too long: "),
                    message);
            assertTrue(message.contains("http://" + proxy.host() + "/v2/faults/trickle/blobs/" + layer.digest()
                    + " is slower than the minimum transfer rate of 1000 bytes/s (4 s allowed for 3000 bytes"), message);
            assertTrue(message.contains("set JBUILD_MIN_TRANSFER_RATE to a lower rate"), message);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(3900)) > 0 && took.compareTo(Duration.ofSeconds(8)) < 0, "took " + took);
        assertEquals(1, requests("GET", "/blobs/" + layer.digest()), "a breached deadline is not retried");
        assertNoLeftovers(store);
    }

    /** A manifest over the 4 MiB limit is as large on every attempt: one request, then a clear failure. */
    @Test
    void aManifestOverTheLimitFailsAtTheFirstAttempt() throws Exception {
        byte[] big = new byte[RegistryClient.MAX_MANIFEST_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        proxy.inject(FaultProxy.request("GET", "/manifests/"), FaultProxy.Fault.respond(200, MediaTypes.OCI_MANIFEST, big), 10);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            IOException e = assertThrows(IOException.class, () -> client.resolve(viaProxy("faults/bigmanifest:1"), AMD64));
            assertEquals("pulling manifest " + proxy.host() + "/faults/bigmanifest:1: the response is larger than the limit of "
                    + RegistryClient.MAX_MANIFEST_BYTES + " bytes", e.getMessage());
        }
        assertEquals(1, requests("GET", "/manifests/"), proxy.seen().toString());
        assertTrue(retries.isEmpty(), retries.toString());
    }

    private static final byte[] NGINX_PAGE = "<html>\r\n<head><title>Welcome to nginx!</title></head>\r\n<body>nginx</body></html>\r\n"
            .getBytes(StandardCharsets.UTF_8);

    /** A web page where the API answers JSON or nothing: what a web server or a proxy's login page sends to any request. */
    private static FaultProxy.Fault webPage() {
        return FaultProxy.Fault.respond(200, "text/html", NGINX_PAGE);
    }

    private String notARegistry() {
        return proxy.host() + " did not answer as a registry (HTTP 200, text/html): is it a web server or a proxy's login page?";
    }

    @Test
    void aWebPageAnsweringTheManifestPutFailsThePush() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 90, 4000);
        proxy.inject(FaultProxy.request("PUT", "/manifests/"), webPage(), 1_000);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.push(viaProxy("faults/html:1"), image, TestImages.source(store), PushOptions.defaults()));
            assertEquals("pushing manifest " + image.digest() + " to " + proxy.host() + "/faults/html:1 failed: " + notARegistry(),
                    e.getMessage());
        }
        assertTrue(retries.isEmpty(), "a web page is not retried: " + retries);
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).build())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.fetchManifest(ImageName.parse(REGISTRY.registry().host() + "/faults/html:1")));
            assertEquals(404, e.statusCode(), "nothing was tagged: " + e.getMessage());
        }
    }

    @Test
    void aManifestPutAnsweredWithAnotherSuccessNeedsTheDigest() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 91, 4000);
        proxy.inject(FaultProxy.request("PUT", "/manifests/"), FaultProxy.Fault.status(200, "{}"), 1_000);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.push(viaProxy("faults/ok200:1"), image, TestImages.source(store), PushOptions.defaults()));
            assertTrue(e.getMessage().contains("answered HTTP 200 instead of 201 Created, without the manifest's digest"),
                    e.getMessage());
        }
        proxy.clearFaults();
        proxy.inject(FaultProxy.request("PUT", "/manifests/"), FaultProxy.Fault.status(200, "{}",
                Map.of("Docker-Content-Digest", image.digest().toString())), 1_000);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            assertEquals(image.digest(), client.push(viaProxy("faults/ok200:1"), image, TestImages.source(store),
                    PushOptions.defaults()).digest(), "a 200 with the manifest's digest is the server's word that it is stored");
        }
    }

    @Test
    void aBlobHeadAnsweredByAWebPageIsNeverCountedAsThere() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 92, 4000);
        proxy.inject(FaultProxy.request("HEAD", "/blobs/"), webPage(), 1_000);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> client.push(viaProxy("faults/headhtml:1"), image, TestImages.source(store), PushOptions.defaults()));
            assertTrue(e.getMessage().endsWith(" failed: " + notARegistry()), e.getMessage());
            assertTrue(e.getMessage().startsWith("pushing blob sha256:"), e.getMessage());
        }
        assertTrue(proxy.seen().stream().noneMatch(s -> s.method().equals("PUT")), proxy.seen().toString());
    }

    @Test
    void aBlobHeadWhoseLengthOrDigestDisagreesMeansUpload() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 93, 4000, 5000);
        Descriptor first = image.value().layers().get(0);
        Descriptor second = image.value().layers().get(1);
        // A catch-all 200 (no web page, so only what it says of the blob can tell).
        FaultProxy.Fault wrongLength = FaultProxy.Fault.status(200, "");
        wrongLength.headers = Map.of("Content-Type", "application/octet-stream", "Content-Length", "612");
        FaultProxy.Fault wrongDigest = FaultProxy.Fault.status(200, "");
        wrongDigest.headers = Map.of("Content-Type", "application/octet-stream", "Content-Length", String.valueOf(second.size()),
                "Docker-Content-Digest", image.value().config().digest().toString());
        proxy.inject(FaultProxy.request("HEAD", "/blobs/" + first.digest()), wrongLength, 1);
        proxy.inject(FaultProxy.request("HEAD", "/blobs/" + second.digest()), wrongDigest, 1);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            PushResult r = client.push(viaProxy("faults/headlies:1"), image, TestImages.source(store), PushOptions.defaults());
            assertEquals(3, r.uploaded(), "config and both layers uploaded: " + r);
            assertEquals(0, r.skipped(), r.toString());
        }
        Store pulled = Store.open(tmp.resolve("pulled"));
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).build())) {
            client.fetchBlobs(ImageName.parse(REGISTRY.registry().host() + "/faults/headlies:1"), image.value().layers(),
                    TestImages.sink(pulled));
        }
        assertArrayEquals(store.readBytes(first.digest()), pulled.readBytes(first.digest()));
    }

    /** The store as a push reads it, telling sizes and its name (as transfer's source does). */
    private static BlobSource sizedSource(Store store) {
        return new BlobSource() {
            @Override
            public java.io.InputStream open(Descriptor d) throws IOException {
                return store.open(d.digest());
            }

            @Override
            public java.util.OptionalLong size(Descriptor d) throws IOException {
                return java.util.OptionalLong.of(store.size(d.digest()));
            }

            @Override
            public String where() {
                return "the store (" + store.root() + ")";
            }
        };
    }

    @Test
    void aTruncatedBlobInTheStoreFailsThePushBeforeAnyUpload() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 94, 3000, 20_000);
        Descriptor layer = image.value().layers().get(1);
        Path file = store.path(layer.digest());
        byte[] whole = Files.readAllBytes(file);
        file.toFile().setWritable(true);
        Files.write(file, Arrays.copyOf(whole, 12_345));
        try (RegistryClient client = RegistryClient.create(options().build())) {
            IOException e = assertThrows(IOException.class,
                    () -> client.push(viaProxy("faults/truncated:1"), image, sizedSource(store), PushOptions.defaults()));
            assertEquals("blob " + layer.digest() + " in the store (" + store.root() + ") is damaged: 12345 bytes, the manifest gives "
                    + layer.size(), e.getMessage());
        }
        assertTrue(proxy.seen().stream().noneMatch(s -> s.method().equals("POST") || s.method().equals("PUT")
                || s.method().equals("PATCH")), "nothing was uploaded: " + proxy.seen());
        assertTrue(retries.isEmpty(), retries.toString());
    }

    @Test
    void aSameSizeCorruptionInTheStoreIsNamedAsTheStoresWhenTheRegistryRefusesTheDigest() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 95, 3000);
        Descriptor layer = image.value().layers().get(0);
        Path file = store.path(layer.digest());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x55;
        file.toFile().setWritable(true);
        Files.write(file, bytes);
        try (RegistryClient client = RegistryClient.create(options().build())) {
            IOException e = assertThrows(IOException.class,
                    () -> client.push(viaProxy("faults/corruptstore:1"), image, sizedSource(store), PushOptions.defaults()));
            assertTrue(e.getMessage().startsWith("blob " + layer.digest() + " in the store (" + store.root()
                    + ") is damaged: its content has the digest sha256:"), e.getMessage());
        }
        assertTrue(retries.isEmpty(), "local damage is not retried: " + retries);
    }
}

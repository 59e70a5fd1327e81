package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.LocalRegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Push and pull against a real CNCF distribution over plain HTTP, cross-checked with skopeo. */
@Integration
class PullPushTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.plain();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Platform AMD64 = new Platform("linux", "amd64");
    private static final Platform ARM64 = new Platform("linux", "arm64", "v8");

    @TempDir
    Path tmp;

    private LocalRegistry registry() {
        return REGISTRY.registry();
    }

    private RegistryClient client() {
        return RegistryClient.create(Clients.isolated(tmp).build());
    }

    private ImageName name(String repoAndTag) {
        return ImageName.parse(registry().host() + "/" + repoAndTag);
    }

    private JsonNode skopeoInspect(String reference, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect"));
        cmd.addAll(List.of(extra));
        cmd.addAll(registry().skopeoOptions(""));
        cmd.add("docker://" + reference);
        return JSON.readTree(ExternalTool.command(cmd).runSuccessfully().stdout());
    }

    @Test
    void pushedImageIsSeenBySkopeoWithTheSameDigest() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 1, 1000, 200_000);
        try (RegistryClient client = client()) {
            PushResult result = client.push(name("app/one:v1"), image, TestImages.source(store),
                    PushOptions.defaults().withAdditionalTags(List.of("latest")));
            assertEquals(image.digest(), result.digest());
            assertEquals(3, result.uploaded());
            assertEquals(0, result.skipped());
            assertEquals(List.of(registry().host() + "/app/one:v1", registry().host() + "/app/one:latest",
                    registry().host() + "/app/one@" + image.digest()), result.references());

            JsonNode inspected = skopeoInspect(registry().host() + "/app/one:v1");
            assertEquals(image.digest().toString(), inspected.get("Digest").asText());
            assertEquals("amd64", inspected.get("Architecture").asText());
            assertEquals(image.digest().toString(), skopeoInspect(registry().host() + "/app/one:latest").get("Digest").asText());

            // Pushing again uploads nothing.
            PushResult again = client.push(name("app/one:v1"), image, TestImages.source(store), PushOptions.defaults());
            assertEquals(0, again.uploaded());
            assertEquals(3, again.skipped());
            assertEquals(0, again.bytesUploaded());
        }
    }

    @Test
    void busyboxCopiedBySkopeoIsPulledWithIdenticalBlobs() throws Exception {
        BusyboxImage busybox = BusyboxImage.write(tmp.resolve("layout"), "1.0");
        String reference = busybox.pushTo(registry(), "library/busybox", "1.0");
        Store store = Store.open(tmp.resolve("store"));
        try (RegistryClient client = client()) {
            ImageName name = ImageName.parse(reference);
            ResolvedImage resolved = client.resolve(name, Platform.host());
            assertEquals(busybox.manifestDigest(), resolved.manifest().digest().toString());
            assertTrue(resolved.indexes().isEmpty());
            Manifest manifest = resolved.manifest().value();
            Document<ImageConfig> config = client.fetchConfig(name, manifest);
            assertEquals(busybox.configDigest(), config.digest().toString());
            client.fetchBlobs(name, manifest.layers(), TestImages.sink(store));
            for (Descriptor layer : manifest.layers()) {
                assertArrayEquals(Files.readAllBytes(busybox.blob(layer.digest().toString())),
                        Files.readAllBytes(store.path(layer.digest())));
            }
            Optional<Descriptor> head = client.headManifest(name);
            assertEquals(busybox.manifestDigest(), head.orElseThrow().digest().toString());
            assertEquals(busybox.manifestSize(), head.get().size());
        }
    }

    @Test
    void multiPlatformIndexPicksTheRequestedPlatform() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> amd = TestImages.image(store, AMD64, 10, 3000);
        Document<Manifest> arm = TestImages.image(store, ARM64, 11, 4000);
        Document<Index> index = TestImages.index(store, List.of(amd, arm), List.of(AMD64, ARM64));
        try (RegistryClient client = client()) {
            PushResult pushed = client.push(name("multi/app:1"), index, TestImages.source(store), PushOptions.defaults());
            assertEquals(index.digest(), pushed.digest());
            assertEquals(MediaTypes.OCI_INDEX, pushed.descriptor().mediaType());

            ResolvedImage onArm = client.resolve(name("multi/app:1"), Platform.parse("linux/arm64"));
            assertEquals(arm.digest(), onArm.manifest().digest());
            assertEquals(index.digest(), onArm.rootDigest());
            assertEquals(ARM64, onArm.descriptor().platform());
            ResolvedImage onAmd = client.resolve(name("multi/app:1"), Platform.parse("linux/amd64"));
            assertEquals(amd.digest(), onAmd.manifest().digest());

            RegistryException missing = assertThrows(RegistryException.class,
                    () -> client.resolve(name("multi/app:1"), Platform.parse("linux/s390x")));
            assertTrue(missing.getMessage().contains("no image for platform linux/s390x"), missing.getMessage());
            assertTrue(missing.getMessage().contains("linux/amd64, linux/arm64/v8"), missing.getMessage());
        }
        // skopeo sees the index and picks the same child for arm64.
        JsonNode raw = JSON.readTree(ExternalTool.command(concat(List.of("skopeo", "inspect", "--raw"),
                registry().skopeoOptions(""), List.of("docker://" + registry().host() + "/multi/app:1"))).runSuccessfully().stdout());
        assertEquals(2, raw.get("manifests").size());
        JsonNode armInspected = skopeoInspect(registry().host() + "/multi/app:1", "--override-arch", "arm64");
        assertEquals("arm64", armInspected.get("Architecture").asText());
        assertEquals(arm.value().layers().get(0).digest().toString(), armInspected.get("Layers").get(0).asText());
    }

    @Test
    void largeBlobsGoInChunksAndComeBackIntact() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 20, 300_000, 50);
        AtomicInteger progressCalls = new AtomicInteger();
        RegistryOptions options = Clients.isolated(tmp).uploadChunking(100_000, 64 * 1024)
                .listener(new RegistryListener() {
                    @Override
                    public void blobProgress(Descriptor blob, long bytes) {
                        progressCalls.incrementAndGet();
                    }
                }).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            client.push(name("chunked/app:1"), image, TestImages.source(store), PushOptions.defaults());
        }
        assertTrue(progressCalls.get() >= 5, "one progress call per chunk: " + progressCalls.get());
        Store pulled = Store.open(tmp.resolve("pulled"));
        try (RegistryClient client = client()) {
            ResolvedImage r = client.resolve(name("chunked/app:1"), AMD64);
            assertEquals(image.digest(), r.manifest().digest());
            client.fetchBlobs(name("chunked/app:1"), r.manifest().value().layers(), TestImages.sink(pulled));
        }
        for (Descriptor layer : image.value().layers()) {
            assertArrayEquals(store.readBytes(layer.digest()), pulled.readBytes(layer.digest()));
        }
        assertEquals(image.digest().toString(), skopeoInspect(registry().host() + "/chunked/app:1").get("Digest").asText());
    }

    @Test
    void blobsKnownInAnotherRepositoryAreMounted() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> base = TestImages.image(store, AMD64, 30, 5000, 6000);
        try (RegistryClient client = client()) {
            client.push(name("base/os:1"), base, TestImages.source(store), PushOptions.defaults());
            Map<Digest, ImageName> sources = new HashMap<>();
            for (Descriptor layer : base.value().layers()) {
                sources.put(layer.digest(), name("base/os:1"));
            }
            PushResult result = client.push(name("derived/app:1"), base, TestImages.source(store),
                    PushOptions.defaults().withMountSources(sources));
            assertEquals(2, result.mounted());
            assertEquals(1, result.uploaded()); // the config had no mount source
            assertTrue(client.blobExists(name("derived/app:1"), base.value().layers().get(0).digest()));
        }
    }

    @Test
    void missingImagesAndBlobsAreReportedByName() throws Exception {
        try (RegistryClient client = client()) {
            RegistryException e = assertThrows(RegistryException.class, () -> client.resolve(name("nope/nothing:1"), AMD64));
            assertEquals(404, e.statusCode());
            assertTrue(e.getMessage().contains(registry().host() + "/nope/nothing:1 not found"), e.getMessage());
            assertTrue(e.hasError("NAME_UNKNOWN") || e.hasError("MANIFEST_UNKNOWN"), e.getMessage());
            assertFalse(client.headManifest(name("nope/nothing:1")).isPresent());

            Store store = Store.open(tmp.resolve("store"));
            Descriptor absent = Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, TestImages.bytes(99, 10));
            RegistryException blob = assertThrows(RegistryException.class,
                    () -> client.fetchBlob(name("nope/nothing:1"), absent, TestImages.sink(store)));
            assertTrue(blob.getMessage().contains("pulling blob " + absent.digest()), blob.getMessage());
            assertTrue(blob.getMessage().contains("HTTP 404"), blob.getMessage());
            assertFalse(store.has(absent.digest()));
        }
    }

    @Test
    void manifestByDigestIsVerifiedAndKeepsItsBytes() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 40, 100);
        try (RegistryClient client = client()) {
            client.push(name("bydigest/app:1"), image, TestImages.source(store), PushOptions.defaults());
            ImageName pinned = ImageName.parse(registry().host() + "/bydigest/app@" + image.digest());
            Document<ManifestOrIndex> fetched = client.fetchManifest(pinned);
            assertArrayEquals(image.bytes(), fetched.bytes());
            // A digest-only push target keeps the manifest untagged.
            PushResult r = client.push(pinned, image, TestImages.source(store), PushOptions.defaults());
            assertEquals(List.of(registry().host() + "/bydigest/app@" + image.digest()), r.references());
        }
    }

    @Test
    void singleBlobPushForCaches() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Descriptor blob = store.putBytes(MediaTypes.OCI_LAYER_TAR_GZIP, TestImages.bytes(50, 3000));
        try (RegistryClient client = client()) {
            ImageName cache = name("cache/layers:buildcache");
            assertFalse(client.blobExists(cache, blob.digest()));
            assertEquals(RegistryListener.Outcome.UPLOADED, client.pushBlob(cache, blob, TestImages.source(store), null));
            assertTrue(client.blobExists(cache, blob.digest()));
            assertEquals(RegistryListener.Outcome.ALREADY_PRESENT, client.pushBlob(cache, blob, TestImages.source(store), null));
            assertEquals(RegistryListener.Outcome.MOUNTED,
                    client.pushBlob(name("cache/other:1"), blob, TestImages.source(store), cache));
            Store back = Store.open(tmp.resolve("back"));
            client.fetchBlob(name("cache/other:1"), blob, TestImages.sink(back));
            assertArrayEquals(store.readBytes(blob.digest()), back.readBytes(blob.digest()));
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }
}

package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestResources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --cache-to/--cache-from type=registry and type=inline against the real CNCF registry: a second
 * machine (a fresh store) rebuilds without running any RUN and downloads only the layers it hits.
 */
@Integration
class RegistryCacheTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = TestResources.text(RegistryCacheTest.class, "Dockerfile");

    static LocalRegistry registry;

    @TempDir
    Path temp;

    @BeforeAll
    static void startRegistry() {
        registry = LocalRegistry.startPlain();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private Path context(String dockerfile) throws Exception {
        BusyboxImage.write(temp.resolve("busybox"), "1.0");
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return context;
    }

    private CliTest.Result build(Path store, String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", store.toString(), "--build-context",
                "busybox=oci-layout://" + temp.resolve("busybox") + ":1.0", "--progress=plain",
                "--build-arg", "SOURCE_DATE_EPOCH=0",
                "--metadata-file", temp.resolve("meta-" + store.getFileName() + ".json").toString(),
                "--iidfile", temp.resolve("iid-" + store.getFileName()).toString()));
        args.addAll(List.of(extra));
        args.add(temp.resolve("context").toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    private String digest(Path store) throws Exception {
        return JSON.readTree(temp.resolve("meta-" + store.getFileName() + ".json").toFile()).get("containerimage.digest").asText();
    }

    /**
     * The image's config digest (the image ID, {@code --iidfile}): a pushed image's index also holds its provenance,
     * which names the build's time; the metadata file names no config for an index, as BuildKit's.
     */
    private String configDigest(Path store) throws Exception {
        return Files.readString(temp.resolve("iid-" + store.getFileName()));
    }

    /** "N of M steps cached" from the summary. */
    private static int[] cachedOfSteps(CliTest.Result result) {
        Matcher m = Pattern.compile("(\\d+) of (\\d+) steps cached").matcher(result.err());
        assertTrue(m.find(), result.err());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** The layer digest (hex) of the cache record in {@code store} whose step text contains {@code text}. */
    private static String layerOf(Path store, String text) throws Exception {
        return layerOf(store, text, "layer");
    }

    /** The layer's digest ({@code "layer"}) or diff_id ({@code "diffId"}), hex, of that record. */
    private static String layerOf(Path store, String text, String which) throws Exception {
        try (Stream<Path> records = Files.list(store.resolve("cache/records"))) {
            for (Path record : records.toList()) {
                JsonNode node = JSON.readTree(record.toFile());
                if (node.path("history").path("created_by").asText().contains(text) && node.has("layer")) {
                    JsonNode value = which.equals("layer") ? node.get("layer").get("digest") : node.get("diffId");
                    return value.asText().substring("sha256:".length());
                }
            }
        }
        throw new AssertionError("no record for " + text + " in " + store);
    }

    private static boolean hasBlob(Path store, String hex) {
        return Files.isRegularFile(store.resolve("blobs/sha256").resolve(hex));
    }

    @Test
    void aFreshStoreRebuildsFromARegistryCacheAndDownloadsOnlyWhatItHits() throws Exception {
        context(DOCKERFILE);
        String ref = registry.reference("app", "cache");
        Path machine1 = temp.resolve("machine-1");
        CliTest.Result first = build(machine1, "--cache-to", "type=registry,ref=" + ref + ",mode=max");
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.err().contains("first-1") && first.err().contains("tool-7"), first.err());
        assertTrue(first.err().contains("exporting cache to " + ref), first.err());

        Path machine2 = temp.resolve("machine-2");
        // Importing and exporting the same reference, as the CI recipes do.
        CliTest.Result second = build(machine2, "--cache-from", "type=registry,ref=" + ref,
                "--cache-to", "type=registry,ref=" + ref + ",mode=max");
        assertEquals(0, second.exitCode(), second.err());
        assertFalse(second.err().contains("first-1") || second.err().contains("second-2") || second.err().contains("tool-7"),
                "no RUN ran on the second machine: " + second.err());
        int[] counts = cachedOfSteps(second);
        assertEquals(counts[1], counts[0], "every step cached: " + second.err());
        assertEquals(5, counts[1]);
        assertEquals(digest(machine1), digest(machine2), "the same image, digest for digest");
        assertTrue(second.err().contains("cache: pulled sha256:") && !second.err().contains("#0 "),
                "layers downloaded outside a pull step say where they come from: " + second.err());
        // The tools stage's layer is not part of the image, and its file index came with the cache
        // (enough to key COPY --from=tools), so the fully cached build never downloaded it; every
        // layer of the image itself is in the store.
        assertFalse(hasBlob(machine2, layerOf(machine1, "echo \"tool-")), "the tools layer stayed in the registry");
        JsonNode manifest = JSON.readTree(machine2.resolve("blobs/sha256").resolve(digest(machine2).substring(7)).toFile());
        for (JsonNode layer : manifest.get("layers")) {
            assertTrue(hasBlob(machine2, layer.get("digest").asText().substring(7)), "image layer " + layer + " is in the store");
        }
        assertTrue(Files.isRegularFile(machine2.resolve("cache/layer-index")
                .resolve(layerOf(machine1, "echo \"tool-", "diffId") + ".idx")), "the tools layer's index was imported");
        // Its re-export kept the tools stage's record without downloading the layer (the registry
        // has it): a third fresh machine still hits every step.
        Path machine4 = temp.resolve("machine-4");
        CliTest.Result fourth = build(machine4, "--cache-from", "type=registry,ref=" + ref);
        assertEquals(0, fourth.exitCode(), fourth.err());
        assertEquals(5, cachedOfSteps(fourth)[0], fourth.err());
        assertEquals(digest(machine1), digest(machine4));

        // One file changed: the tools stage still hits (its layer is downloaded, COPY --from reads it),
        // the final stage re-runs from COPY a.txt; the layers of the records it missed are never fetched.
        Files.writeString(temp.resolve("context/a.txt"), "changed\n");
        Path machine3 = temp.resolve("machine-3");
        CliTest.Result changed = build(machine3, "--cache-from", "type=registry,ref=" + ref);
        assertEquals(0, changed.exitCode(), changed.err());
        assertTrue(changed.err().contains("first-1") && changed.err().contains("second-2"), changed.err());
        assertFalse(changed.err().contains("tool-7"), "the tools stage came from the registry cache: " + changed.err());
        assertTrue(hasBlob(machine3, layerOf(machine1, "echo \"tool-")), "the hit record's layer was downloaded");
        assertFalse(hasBlob(machine3, layerOf(machine1, "echo \"first-")), "a missed record's layer is not downloaded");
        assertFalse(hasBlob(machine3, layerOf(machine1, "echo \"second-")), "a missed record's layer is not downloaded");
        assertEquals(1, cachedOfSteps(changed)[0], "only the tools stage's RUN hit: " + changed.err());
    }

    @Test
    void modeMinExportsOnlyTheFinalImagesStages() throws Exception {
        context(DOCKERFILE);
        String ref = registry.reference("app", "min");
        CliTest.Result first = build(temp.resolve("machine-1"), "--cache-to", "type=registry,ref=" + ref);
        assertEquals(0, first.exitCode(), first.err());

        CliTest.Result second = build(temp.resolve("machine-2"), "--cache-from", ref);
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.err().contains("tool-7"), "mode=min has no record of the tools stage: " + second.err());
        // The final stage hits until COPY --from, which sees the re-run tools stage's new /tool.
        assertFalse(second.err().contains("first-1"), "the final image's steps came from the cache: " + second.err());
        assertTrue(second.err().contains("second-2"), second.err());

        JsonNode config = cacheConfig(ImageName.parse(ref));
        assertEquals("jbuild-cache", config.get("format").asText());
        assertEquals(4, config.get("records").size(), "COPY, RUN, COPY --from, RUN of the final stage: " + config);
    }

    /** The cache config behind {@code ref}, read as any registry client would. */
    private static JsonNode cacheConfig(ImageName ref) throws Exception {
        try (RegistryClient client = RegistryClient.create()) {
            Document<?> root = client.fetchManifest(ref);
            Index index = (Index) root.value();
            assertEquals("1", index.annotations().get("dev.jbuild.cache.format"));
            Descriptor child = index.manifests().get(0);
            Manifest manifest = (Manifest) client.fetchManifest(new ImageName(ref.registry(), ref.repository(), null,
                    child.digest().toString())).value();
            assertEquals("application/vnd.jbuild.cache.config.v1+json", manifest.config().mediaType());
            return JSON.readTree(client.fetchBytes(ref, manifest.config()));
        }
    }

    @Test
    void anImageWithInlineCacheIsACacheSource() throws Exception {
        context("""
                FROM busybox
                COPY a.txt /a.txt
                RUN echo "inline-$((2+3))" && cat /proc/sys/kernel/random/uuid > /one
                ENV A=b
                """);
        String image = registry.reference("app", "inline");
        CliTest.Result pushed = build(temp.resolve("machine-1"), "-t", image, "--push", "--cache-to", "type=inline");
        assertEquals(0, pushed.exitCode(), pushed.err());
        assertTrue(pushed.err().contains("inline-5"), pushed.err());

        CliTest.Result second = build(temp.resolve("machine-2"), "--cache-from", "type=registry,ref=" + image,
                "--cache-to", "type=inline");
        assertEquals(0, second.exitCode(), second.err());
        assertFalse(second.err().contains("inline-5"), "the RUN came from the image's inline cache: " + second.err());
        int[] counts = cachedOfSteps(second);
        assertEquals(counts[1], counts[0], second.err());
        assertEquals(configDigest(temp.resolve("machine-1")), configDigest(temp.resolve("machine-2")),
                "with inline cache again, the same image");

        CliTest.Result plain = build(temp.resolve("machine-3"), "--cache-from", "type=registry,ref=" + image);
        assertEquals(0, plain.exitCode(), plain.err());
        assertFalse(configDigest(temp.resolve("machine-1")).equals(configDigest(temp.resolve("machine-3"))),
                "inline cache is part of the image config, so the image differs without it");
    }

    @Test
    void aMissingOrHostileCacheIsAWarningAndTheBuildRuns() throws Exception {
        context(DOCKERFILE);
        Path store = temp.resolve("machine-1");
        CliTest.Result missing = build(store, "--cache-from", "type=registry,ref=" + registry.reference("nothing", "here"));
        assertEquals(0, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains("not found"), missing.err());
        assertTrue(missing.err().contains("first-1"), missing.err());

        // A cache config whose records have bad keys, garbage, and a layer its manifest does not list.
        String goodKey = "a".repeat(64);
        String config = "{\"format\":\"jbuild-cache\",\"version\":1,\"records\":{"
                + "\"../../../../etc/passwd\":{\"version\":1},"
                + "\"" + "b".repeat(64) + "\":\"garbage\","
                + "\"" + goodKey + "\":{\"version\":1,\"layer\":{\"mediaType\":\"" + MediaTypes.OCI_LAYER_TAR_GZIP
                + "\",\"digest\":\"sha256:" + "c".repeat(64) + "\",\"size\":10},\"diffId\":\"sha256:" + "d".repeat(64)
                + "\",\"history\":{},\"config\":{}}}}";
        String hostile = pushCache("hostile", "application/vnd.jbuild.cache.config.v1+json", config);
        String wrongType = pushCache("wrongtype", MediaTypes.OCI_CONFIG, "{}");
        CliTest.Result bad = build(temp.resolve("machine-2"), "--cache-from", "type=registry,ref=" + hostile,
                "--cache-from", "type=registry,ref=" + wrongType);
        assertEquals(0, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("ignoring 3 of 3 cache records"), bad.err());
        assertTrue(bad.err().contains("not a jbuild cache") || bad.err().contains("neither a jbuild cache"), bad.err());
        assertTrue(bad.err().contains("first-1"), bad.err());
        try (Stream<Path> records = Files.list(temp.resolve("machine-2/cache/records"))) {
            List<Path> all = records.toList();
            assertFalse(all.isEmpty());
            for (Path record : all) {
                assertTrue(record.getFileName().toString().matches("[0-9a-f]{64}"), record.toString());
                assertFalse(record.getFileName().toString().equals(goodKey), "a hostile record never reaches the store");
            }
        }
        CliTest.Result again = build(temp.resolve("machine-2"));
        assertEquals(0, again.exitCode(), again.err());
        int[] counts = cachedOfSteps(again);
        assertEquals(counts[1], counts[0], "the store is consistent: " + again.err());
    }

    @Test
    void theCachesRegistryGetsCredentialsLikeAPushedImage() throws Exception {
        context(DOCKERFILE);
        try (LocalRegistry secured = LocalRegistry.startWithBasicAuth()) {
            String creds = secured.requireCredentials().colonSeparated();
            String ref = secured.reference("private/app", "cache");
            Path config = Files.createDirectories(temp.resolve("docker-config"));
            CliTest.Result exported = build(temp.resolve("machine-1"), "--config", config.toString(), "--creds", creds,
                    "--cache-to", "type=registry,ref=" + ref + ",mode=max");
            assertEquals(0, exported.exitCode(), exported.err());

            CliTest.Result anonymous = build(temp.resolve("machine-2"), "--config", config.toString(),
                    "--cache-from", "type=registry,ref=" + ref);
            assertEquals(0, anonymous.exitCode(), "an unreadable cache is a warning: " + anonymous.err());
            assertTrue(anonymous.err().contains("warning: cannot import cache " + ref) && anonymous.err().contains("requires authentication"),
                    anonymous.err());
            assertTrue(anonymous.err().contains("first-1"), anonymous.err());

            CliTest.Result failedExport = build(temp.resolve("machine-3"), "--config", config.toString(),
                    "--cache-to", "type=registry,ref=" + ref);
            assertEquals(1, failedExport.exitCode(), "an export that fails fails the build: " + failedExport.err());
            assertTrue(failedExport.err().contains("exporting the build cache to " + ref), failedExport.err());
            CliTest.Result ignored = build(temp.resolve("machine-3"), "--config", config.toString(),
                    "--cache-to", "type=registry,ref=" + ref + ",ignore-error=true");
            assertEquals(0, ignored.exitCode(), ignored.err());
            assertTrue(ignored.err().contains("warning: could not export the build cache to " + ref), ignored.err());

            CliTest.Result withCreds = build(temp.resolve("machine-4"), "--config", config.toString(), "--creds", creds,
                    "--cache-from", "type=registry,ref=" + ref);
            assertEquals(0, withCreds.exitCode(), withCreds.err());
            int[] counts = cachedOfSteps(withCreds);
            assertEquals(counts[1], counts[0], withCreds.err());
            assertFalse(withCreds.err().contains(secured.requireCredentials().password()));
        }
    }

    @Test
    void aCacheConfigLargerThanTheCapIsNotRead() throws Exception {
        context(DOCKERFILE);
        StringBuilder big = new StringBuilder("{\"format\":\"jbuild-cache\",\"version\":1,\"records\":{}}");
        big.append(" ".repeat((32 << 20) + 1));
        String ref = pushCache("huge", "application/vnd.jbuild.cache.config.v1+json", big.toString());
        CliTest.Result result = build(temp.resolve("machine-1"), "--cache-from", ref);
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("refusing to read more than"), result.err());
        assertFalse(result.err().contains("pulled sha256:"), "not even downloaded: " + result.err());
    }

    /** Pushes a hand-made cache (index → manifest → config of {@code configType}, no layers) as app:TAG. */
    private static String pushCache(String tag, String configType, String config) throws Exception {
        ImageName ref = ImageName.parse(registry.reference("app", tag));
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        Descriptor configDescriptor = Descriptor.of(configType, configBytes);
        Document<Manifest> manifest = ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, List.of()));
        Document<Index> index = ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX,
                List.of(manifest.descriptor(MediaTypes.OCI_MANIFEST))).withAnnotations(Map.of("dev.jbuild.cache.format", "1")));
        try (RegistryClient client = RegistryClient.create()) {
            client.pushBlob(ref, configDescriptor, d -> new ByteArrayInputStream(configBytes), null);
            client.pushManifest(ref, manifest.digest().toString(), manifest);
            client.pushManifest(ref, tag, index);
        }
        return ref.toString();
    }
}

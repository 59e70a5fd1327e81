package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDocumentsTest {

    private static final Digest A = Digest.of("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.of("b".getBytes(StandardCharsets.UTF_8));

    // --- round trips -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"oci-index-canonical.json", "oci-manifest-canonical.json", "config-canonical.json"})
    void canonicalDocumentsReserialiseToIdenticalBytes(String fixture) throws Exception {
        byte[] original = Fixtures.read(fixture);
        Document<?> parsed = fixture.startsWith("config")
                ? ImageDocuments.parseConfig(original)
                : ImageDocuments.parseManifestOrIndex(original);
        assertArrayEquals(original, parsed.bytes());
        assertEquals(Digest.of(original), parsed.digest());

        Document<?> reencoded = ImageDocuments.encode(parsed.value());
        assertEquals(new String(original, StandardCharsets.UTF_8), reencoded.text());
        assertEquals(parsed.digest(), reencoded.digest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dockerhub-index.json", "docker-manifest-list.json", "docker-manifest.json", "config-legacy-docker.json"})
    void documentsInOtherWritersFormKeepTheirBytesAndDigest(String fixture) throws Exception {
        byte[] original = Fixtures.read(fixture);
        Document<?> parsed = fixture.startsWith("config")
                ? ImageDocuments.parseConfig(original)
                : ImageDocuments.parseManifestOrIndex(original);
        assertArrayEquals(original, parsed.bytes());
        assertEquals(Digest.of(original), parsed.digest());
        assertEquals(original.length, parsed.size());

        // Canonical bytes differ (key order, indentation) but carry the same value.
        Document<?> reencoded = ImageDocuments.encode(parsed.value());
        assertNotEquals(parsed.digest(), reencoded.digest());
        Object reparsed = fixture.startsWith("config")
                ? ImageDocuments.parseConfig(reencoded.bytes()).value()
                : ImageDocuments.parseManifestOrIndex(reencoded.bytes()).value();
        if (!fixture.startsWith("config-legacy")) {
            assertEquals(parsed.value(), reparsed);
        }
    }

    @Test
    void dockerManifestListValues() throws Exception {
        Document<ManifestOrIndex> doc = ImageDocuments.parseManifestOrIndex(Fixtures.read("docker-manifest-list.json"));
        Index list = assertInstanceOf(Index.class, doc.value());
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, list.mediaType());
        assertEquals(5, list.manifests().size());
        Descriptor windows = list.manifests().get(4);
        assertEquals("10.0.17763.5458", windows.platform().osVersion());
        assertEquals(MediaTypes.DOCKER_MANIFEST, windows.mediaType());
        assertEquals(1357, windows.size());
        assertEquals(new Descriptor(MediaTypes.DOCKER_MANIFEST_LIST, doc.digest(), doc.size()), doc.descriptor());
    }

    @Test
    void dockerManifestValues() throws Exception {
        Manifest m = ImageDocuments.parseManifest(Fixtures.read("docker-manifest.json")).value();
        assertEquals(MediaTypes.DOCKER_CONFIG, m.config().mediaType());
        assertEquals(2, m.layers().size());
        assertEquals(3408729, m.layers().get(0).size());
        assertTrue(MediaTypes.isLayer(m.layers().get(0).mediaType()));
        assertEquals(MediaTypes.Compression.GZIP, MediaTypes.layerCompression(m.layers().get(0).mediaType()).orElseThrow());
        assertNull(m.annotations());
        assertNull(m.subject());
    }

    @Test
    void ociArtifactManifestKeepsSubjectDataAndArtifactType() throws Exception {
        Manifest m = ImageDocuments.parseManifest(Fixtures.read("oci-manifest-canonical.json")).value();
        assertEquals("application/vnd.example.sbom.v1+json", m.artifactType());
        assertEquals(MediaTypes.OCI_EMPTY, m.config().mediaType());
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), m.config().data());
        assertEquals(Digest.of(m.config().data()), m.config().digest());
        assertEquals(MediaTypes.OCI_MANIFEST, m.subject().mediaType());
        assertTrue(MediaTypes.isForeignLayer(m.layers().get(1).mediaType()));
        assertEquals(List.of("https://example.com/layer.tar.gz"), m.layers().get(1).urls());
        assertEquals("sbom.spdx.json", m.layers().get(0).annotation("org.opencontainers.image.title"));
    }

    @Test
    void unknownFieldsSurviveAtEveryLevel() throws Exception {
        Index index = ImageDocuments.parseIndex(Fixtures.read("oci-index-canonical.json")).value();
        assertEquals("kept", index.unknownFields().get("x-index-extension").asText());
        assertEquals("[\"sve\"]", index.manifests().get(1).platform().unknownFields().get("features").toString());
        JsonNode nested = index.manifests().get(4).unknownFields().get("x-descriptor-extension");
        assertEquals("{\"nested\":[1,2.50,\"x\",null,true]}", nested.toString());

        ImageConfig config = ImageDocuments.parseConfig(Fixtures.read("config-canonical.json")).value();
        assertEquals("20.10.23", config.unknownFields().get("docker_version").asText());
        assertEquals(Set.of("AttachStderr", "Domainname", "Hostname", "StopTimeout"), config.config().unknownFields().keySet());
        assertTrue(config.config().healthcheck().unknownFields().get("x-health").isArray());
        assertTrue(config.history().get(2).unknownFields().get("x-history").isNull());
    }

    @Test
    void configFieldsAreBound() throws Exception {
        ImageConfig c = ImageDocuments.parseConfig(Fixtures.read("config-canonical.json")).value();
        assertEquals("2024-03-01T12:00:00.123456789Z", c.created());
        assertEquals("linux/arm64/v8", c.platform().toString());
        assertEquals("6.1", c.osVersion());
        ImageConfig.Config run = c.config();
        assertEquals("1000:1000", run.user());
        assertEquals(Set.of("80/tcp", "443/tcp", "53/udp"), run.exposedPorts());
        assertEquals(List.of("nginx", "-g", "daemon off;"), run.cmd());
        assertEquals(Set.of("/data", "/var/cache/nginx"), run.volumes());
        assertEquals("SIGQUIT", run.stopSignal());
        assertTrue(run.argsEscaped());
        assertEquals(Duration.ofSeconds(30).toNanos(), run.healthcheck().interval());
        assertEquals(3, run.healthcheck().retries());
        assertEquals(List.of("RUN echo \"onbuild\"\tdone\n"), run.onBuild());
        assertEquals("héllo wörld ✓ \u2028", run.labels().get("unicode"));
        assertEquals(List.of(A, B), c.rootfs().diffIds());
        assertEquals("layers", c.rootfs().type());
        assertTrue(c.history().get(2).emptyLayer());
        assertEquals("RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit", c.history().get(1).createdBy());
    }

    @Test
    void legacyDockerNullsReadAsAbsent() throws Exception {
        ImageConfig c = ImageDocuments.parseConfig(Fixtures.read("config-legacy-docker.json")).value();
        assertNull(c.config().entrypoint());
        assertNull(c.config().volumes());
        assertNull(c.config().labels());
        assertEquals(List.of("/bin/sh"), c.config().cmd());
        assertTrue(c.unknownFields().containsKey("container_config"));
        String reencoded = ImageDocuments.encode(c).text();
        assertTrue(reencoded.startsWith("{\"created\":\"2023-12-08T00:29:40.120285186Z\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":"), reencoded);
    }

    // --- canonical serialisation of new documents --------------------------------------------

    @Test
    void newManifestInStructOrderWithEmptyLayersWritten() {
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, A, 7);
        Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, config, List.of());
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + A + "\",\"size\":7},"
                + "\"layers\":[]}", ImageDocuments.encode(m).text());

        Descriptor layer = new Descriptor(MediaTypes.OCI_LAYER_TAR_GZIP, B, 42)
                .withAnnotation("z", "1").withAnnotation("a", "2");
        Manifest withLayer = m.withLayers(List.of(layer)).withAnnotations(Map.of("k", "v"));
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + A + "\",\"size\":7},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + B + "\",\"size\":42,"
                + "\"annotations\":{\"a\":\"2\",\"z\":\"1\"}}],\"annotations\":{\"k\":\"v\"}}",
                ImageDocuments.encode(withLayer).text());
    }

    @Test
    void newDescriptorFieldOrder() {
        Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, A, 3)
                .withArtifactType("application/x")
                .withPlatform(new Platform("linux", "arm64", "v8"))
                .withData(new byte[] {1, 2, 3})
                .withAnnotation("k", "v")
                .withUrls(List.of("https://u"));
        assertEquals("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + A + "\",\"size\":3,"
                + "\"urls\":[\"https://u\"],\"annotations\":{\"k\":\"v\"},\"data\":\"AQID\","
                + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"},\"artifactType\":\"application/x\"}",
                new String(ImageDocuments.canonicalBytes(d), StandardCharsets.UTF_8));
    }

    @Test
    void newConfigInStructOrderOmittingEmptyFields() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("b", "2");
        labels.put("a", "1 & <2>");
        Set<String> ports = new LinkedHashSet<>(List.of("8080/tcp", "443/tcp"));
        ImageConfig.Config run = ImageConfig.Config.EMPTY
                .withShell(List.of("/bin/sh", "-c"))
                .withHealthcheck(new ImageConfig.Healthcheck(List.of("NONE"), null, Duration.ofSeconds(3), null, null, 0))
                .withLabels(labels)
                .withExposedPorts(ports)
                .withEnv(List.of("PATH=/bin"))
                .withCmd(List.of())
                .withUser("")
                .withWorkingDir("/app");
        ImageConfig c = ImageConfig.forPlatform(Platform.parse("linux/arm").normalize())
                .withCreated(ImageConfig.formatTime(Instant.parse("2024-01-02T03:04:05.120Z")))
                .withConfig(run)
                .withRootfs(new ImageConfig.RootFs(List.of(A)))
                .withHistory(List.of(new ImageConfig.History("2024-01-02T03:04:05Z", "COPY . /app # buildkit", "buildkit.dockerfile.v0", false),
                        new ImageConfig.History(null, "ENV PATH=/bin", null, true)));
        assertEquals("{\"created\":\"2024-01-02T03:04:05.12Z\",\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\","
                + "\"config\":{\"ExposedPorts\":{\"443/tcp\":{},\"8080/tcp\":{}},\"Env\":[\"PATH=/bin\"],\"WorkingDir\":\"/app\","
                + "\"Labels\":{\"a\":\"1 \\u0026 \\u003c2\\u003e\",\"b\":\"2\"},"
                + "\"Healthcheck\":{\"Test\":[\"NONE\"],\"Timeout\":3000000000},\"Shell\":[\"/bin/sh\",\"-c\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + A + "\"]},"
                + "\"history\":[{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":\"COPY . /app # buildkit\",\"comment\":\"buildkit.dockerfile.v0\"},"
                + "{\"created_by\":\"ENV PATH=/bin\",\"empty_layer\":true}]}",
                ImageDocuments.encode(c).text());
    }

    @Test
    void emptyPartsStayEmpty() {
        assertEquals("{}", new String(ImageDocuments.canonicalBytes(ImageConfig.Config.EMPTY), StandardCharsets.UTF_8));
        ImageConfig bare = new ImageConfig(null, null, "amd64", "linux", null, null, null, null, null, null, null);
        assertEquals("{\"architecture\":\"amd64\",\"os\":\"linux\"}", ImageDocuments.encode(bare).text());
        assertEquals("{\"schemaVersion\":2,\"manifests\":[]}", ImageDocuments.encode(new Index(null, List.of())).text());
    }

    @Test
    void escapesStringsLikeGo() {
        ImageConfig.Config run = ImageConfig.Config.EMPTY.withEnv(List.of("A=<&>", "B=\u2028\u2029", "C=\u0001\u001b\u007f", "D=\t\n\r\b\f\"\\/", "E=é✓😀"));
        assertEquals("{\"Env\":[\"A=\\u003c\\u0026\\u003e\",\"B=\\u2028\\u2029\",\"C=\\u0001\\u001b\u007f\","
                + "\"D=\\t\\n\\r\\b\\f\\\"\\\\/\",\"E=é✓😀\"]}",
                new String(ImageDocuments.canonicalBytes(run), StandardCharsets.UTF_8));
    }

    @Test
    void formatsTimesLikeGo() {
        assertEquals("2024-01-02T03:04:05Z", ImageConfig.formatTime(Instant.parse("2024-01-02T03:04:05Z")));
        assertEquals("2024-01-02T03:04:05.000000001Z", ImageConfig.formatTime(Instant.parse("2024-01-02T03:04:05.000000001Z")));
        assertEquals("1970-01-01T00:00:00.5Z", ImageConfig.formatTime(Instant.ofEpochMilli(500)));
    }

    // --- detection and rejection ----------------------------------------------------------------

    @Test
    void detectsKindByMediaTypeThenContentTypeThenShape() throws Exception {
        String manifestNoType = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + A + "\",\"size\":1},\"layers\":[]}";
        String indexNoType = "{\"schemaVersion\":2,\"manifests\":[]}";
        assertInstanceOf(Manifest.class, parse(manifestNoType, null));
        assertInstanceOf(Index.class, parse(indexNoType, null));
        assertInstanceOf(Index.class, parse(indexNoType, MediaTypes.DOCKER_MANIFEST_LIST + "; charset=utf-8"));
        assertEquals(MediaTypes.OCI_MANIFEST, parse(manifestNoType, null).mediaTypeOrDefault());
        assertEquals(MediaTypes.OCI_INDEX, parse(indexNoType, null).mediaTypeOrDefault());
        // The document's own field wins over a generic or wrong header.
        String typedIndex = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}";
        assertInstanceOf(Index.class, parse(typedIndex, "application/json"));
        assertInstanceOf(Index.class, parse(typedIndex, MediaTypes.OCI_MANIFEST));
    }

    @Test
    void rejectsSchema1Clearly() {
        String signed = "{\"schemaVersion\":1,\"name\":\"library/busybox\",\"tag\":\"latest\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[],\"history\":[],\"signatures\":[]}";
        for (String[] c : new String[][] {{signed, null}, {signed, MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST},
                {"{\"schemaVersion\":1,\"mediaType\":\"" + MediaTypes.DOCKER_SCHEMA1_MANIFEST + "\"}", null}}) {
            InvalidDocumentException e = assertThrows(InvalidDocumentException.class, () -> parse(c[0], c[1]));
            assertTrue(e.getMessage().contains("schema 1"), e.getMessage());
            assertTrue(e.getMessage().contains("no longer supported"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "not json",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\",\"manifests\":[]}",
        "{\"schemaVersion\":2}",
        "{\"schemaVersion\":3,\"manifests\":[]}",
        "{\"schemaVersion\":2,\"manifests\":[]} trailing",
        "{\"schemaVersion\":2,\"manifests\":[],\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}",
        "{\"schemaVersion\":\"2\",\"manifests\":[]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:abc\",\"size\":1}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"size\":1}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":-1}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":\"1\"}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1.5}]}",
    })
    void rejectsInvalidDocuments(String text) {
        InvalidDocumentException e = assertThrows(InvalidDocumentException.class, () -> parse(text, null));
        assertTrue(e.getMessage().startsWith("invalid") || e.getMessage().startsWith("unsupported") || e.getMessage().startsWith("not an"),
                e.getMessage());
    }

    /** A value of the wrong JSON type, or a null descriptor, is named by its field, in JSON's terms. */
    @Test
    void wrongValuesAreNamedByTheirField() {
        assertEquals("invalid index: manifests[0] is null, not a descriptor at byte 37", assertThrows(InvalidDocumentException.class,
                () -> parse("{\"schemaVersion\":2,\"manifests\":[null]}", null)).getMessage());
        assertEquals("invalid index: manifests: expected an array at byte 31", assertThrows(InvalidDocumentException.class,
                () -> parse("{\"schemaVersion\":2,\"manifests\":\"x\"}", null)).getMessage());
        InvalidDocumentException layers = assertThrows(InvalidDocumentException.class, () -> parse(
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"x\","
                        + "\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0},"
                        + "\"layers\":[null]}", null));
        assertTrue(layers.getMessage().contains("layers[0] is null, not a descriptor"), layers.getMessage());
        InvalidDocumentException user = assertThrows(InvalidDocumentException.class,
                () -> ImageDocuments.parseConfig("{\"config\":{\"User\":12}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(user.getMessage().startsWith("invalid image config: config.User: expected a string"), user.getMessage());
    }

    @Test
    void rejectsWrongKindForTypedParsers() {
        byte[] index = Fixtures.read("dockerhub-index.json");
        assertThrows(InvalidDocumentException.class, () -> ImageDocuments.parseManifest(index));
        assertThrows(InvalidDocumentException.class, () -> ImageDocuments.parseIndex(Fixtures.read("docker-manifest.json")));
        assertThrows(InvalidDocumentException.class, () -> ImageDocuments.parseConfig("{\"created\":1}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void documentCannotCarryAWrongDigest() {
        byte[] bytes = "{}".getBytes(StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> new Document<>(ImageConfig.Config.EMPTY, bytes, A));
        Document<ImageConfig.Config> ok = new Document<>(ImageConfig.Config.EMPTY, bytes, Digest.of(bytes));
        bytes[0] = 'x';
        assertEquals("{}", ok.text(), "the document holds its own copy of the bytes");
        assertThrows(IllegalStateException.class, ok::descriptor);
        assertEquals(new Descriptor(MediaTypes.OCI_EMPTY, Digest.of("{}".getBytes(StandardCharsets.UTF_8)), 2), ok.descriptor(MediaTypes.OCI_EMPTY));
    }

    private static ManifestOrIndex parse(String text, String contentType) throws InvalidDocumentException {
        return ImageDocuments.parseManifestOrIndex(text.getBytes(StandardCharsets.UTF_8), contentType).value();
    }
}

package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ConfigReader} and {@link DocumentWriter} are shortcuts past the mapper, which stays the
 * reference: where the reader reads a config it gives the mapper's value, and it never accepts what
 * the mapper refuses; where the writer writes a value it writes the mapper's bytes (so every digest
 * stays as it was). Checked on the fixtures, on documents jbuild writes, and on a generated corpus
 * of configs (every field present, absent, null or of a wrong type; unicode; unknown fields at
 * every level; empty lists and maps; numbers at the limits) and of manifests, indexes, descriptors
 * and platforms.
 */
class StreamingDocumentsTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Digest A = Digest.of("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.of("b".getBytes(StandardCharsets.UTF_8));

    /** Reads {@code bytes} both ways: the same value, or the reader declines; never accepts what the mapper refuses. */
    private static ImageConfig readsAsTheMapper(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        ImageConfig fast = ConfigReader.read(bytes);
        ImageConfig reference;
        try {
            reference = ImageDocuments.parseConfigWithMapper(bytes).value();
        } catch (InvalidDocumentException e) {
            assertNull(fast, "the mapper refuses (" + e.getMessage() + ") what the streaming reader accepted: " + text);
            return null;
        }
        if (fast != null) {
            assertEquals(reference, fast, text);
            // Trees compare numbers by value; the bytes show a difference in how they were kept.
            assertArrayEquals(ImageDocuments.canonicalBytesWithMapper(reference), ImageDocuments.canonicalBytesWithMapper(fast), text);
        }
        return reference;
    }

    /** The writer's bytes are the mapper's, wherever the writer writes at all. */
    private static void writesAsTheMapper(Object value) {
        byte[] fast = DocumentWriter.write(value);
        byte[] reference = ImageDocuments.canonicalBytesWithMapper(value);
        if (fast != null) {
            assertEquals(new String(reference, StandardCharsets.UTF_8), new String(fast, StandardCharsets.UTF_8));
            assertArrayEquals(reference, fast);
        }
        assertArrayEquals(reference, ImageDocuments.canonicalBytes(value));
    }

    /** {@link ImageDocuments#parsePart} gives the mapper's value, or the mapper's error with its message. */
    private static <T> void partReadsAsTheMapper(byte[] bytes, Class<T> type) {
        T reference;
        try {
            reference = ImageDocuments.parsePartWithMapper(bytes, type);
        } catch (InvalidDocumentException e) {
            InvalidDocumentException fast = assertThrows(InvalidDocumentException.class, () -> ImageDocuments.parsePart(bytes, type));
            assertEquals(e.getMessage(), fast.getMessage());
            return;
        }
        try {
            assertEquals(reference, ImageDocuments.parsePart(bytes, type), new String(bytes, StandardCharsets.UTF_8));
        } catch (InvalidDocumentException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "[]", "{}", "{\"digest\":\"sha256:abc\"}", "{\"size\":1}", "{\"created\":1}",
        "{\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":1,\"data\":\"YQ==\"}",
        "{\"digest\":\"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",\"size\":1} {}",
        "{\"os\":\"linux\",\"architecture\":\"amd64\",\"x\":[1.50]}", "{\"created_by\":\"RUN x\",\"empty_layer\":true,\"x\":null}"})
    void partsReadAsTheMapperReadsThem(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (Class<?> type : List.of(Descriptor.class, Platform.class, ImageConfig.History.class, ImageConfig.class)) {
            partReadsAsTheMapper(bytes, type);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"config-canonical.json", "config-legacy-docker.json"})
    void configFixturesReadAndWriteAsTheMapperDoes(String fixture) {
        byte[] bytes = Fixtures.read(fixture);
        assertNotNull(ConfigReader.read(bytes), "a config jbuild or Docker writes is read without the mapper");
        ImageConfig config = readsAsTheMapper(bytes);
        assertNotNull(DocumentWriter.write(config));
        writesAsTheMapper(config);
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-manifest-list.json", "docker-manifest.json", "dockerhub-index.json",
        "oci-index-canonical.json", "oci-manifest-canonical.json"})
    void manifestFixturesWriteAsTheMapperDoes(String fixture) throws Exception {
        ManifestOrIndex value = ImageDocuments.parseWithMapper(Fixtures.read(fixture), null).value();
        assertNotNull(DocumentWriter.write(value));
        writesAsTheMapper(value);
        if (value instanceof Manifest m) {
            writesAsTheMapper(m.config());
            m.layers().forEach(StreamingDocumentsTest::writesAsTheMapper);
        } else if (value instanceof Index i) {
            for (Descriptor d : i.manifests()) {
                writesAsTheMapper(d);
                if (d.platform() != null) {
                    writesAsTheMapper(d.platform());
                }
            }
        }
    }

    /** Configs other tests embed: registry.TestImages' seeded images and ImageDocumentsTest's golden config. */
    @Test
    void configsEmbeddedInOtherTestsReadAndWriteAsTheMapperDoes() {
        List<String> configs = List.of(
                "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\",\"config\":{\"Env\":[\"SEED=7\"]},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + A + "\",\"" + B + "\"]}}",
                "{\"created\":\"2024-01-02T03:04:05.12Z\",\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\","
                        + "\"config\":{\"ExposedPorts\":{\"443/tcp\":{},\"8080/tcp\":{}},\"Env\":[\"PATH=/bin\"],\"WorkingDir\":\"/app\","
                        + "\"Labels\":{\"a\":\"1 \\u0026 \\u003c2\\u003e\",\"b\":\"2\"},"
                        + "\"Healthcheck\":{\"Test\":[\"NONE\"],\"Timeout\":3000000000},\"Shell\":[\"/bin/sh\",\"-c\"]},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + A + "\"]},"
                        + "\"history\":[{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":\"COPY . /app # buildkit\",\"comment\":\"buildkit.dockerfile.v0\"},"
                        + "{\"created_by\":\"ENV PATH=/bin\",\"empty_layer\":true}]}");
        for (String text : configs) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertNotNull(ConfigReader.read(bytes), text);
            ImageConfig value = readsAsTheMapper(bytes);
            assertNotNull(DocumentWriter.write(value));
            writesAsTheMapper(value);
        }
        // The golden one is canonical: it writes back to its own bytes.
        assertEquals(configs.get(1), new String(ImageDocuments.canonicalBytes(ConfigReader.read(configs.get(1).getBytes(StandardCharsets.UTF_8))),
                StandardCharsets.UTF_8));
    }

    /** The values a build writes: new configs with history, new manifests and indexes. */
    @Test
    void whatABuildWritesIsWrittenWithoutTheMapper() {
        ImageConfig.History run = new ImageConfig.History("2024-05-01T10:00:00Z", "RUN /bin/sh -c echo <a> && b", "buildkit.dockerfile.v0", false);
        ImageConfig.History env = new ImageConfig.History("2024-05-01T10:00:00Z", "ENV A=1", null, true);
        ImageConfig config = ImageConfig.forPlatform(new Platform("linux", "amd64"))
                .withConfig(ImageConfig.Config.EMPTY.withEnv(List.of("PATH=/bin")).withCmd(List.of("sh")).withLabels(Map.of("b", "2", "a", "1")))
                .withRootfs(new ImageConfig.RootFs(List.of(A, B)))
                .withHistory(List.of(run, env))
                .withCreated("2024-05-01T10:00:00Z")
                .withExtraField("moby.buildkit.cache.v0", NODES.textNode("x"));
        Descriptor layer = new Descriptor(MediaTypes.OCI_LAYER_TAR_GZIP, B, 5_000_000_000L);
        Manifest manifest = new Manifest(MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG, A, 1234), List.of(layer))
                .withAnnotations(Map.of("org.opencontainers.image.created", "2024"));
        Index index = new Index(MediaTypes.OCI_INDEX, List.of(new Descriptor(MediaTypes.OCI_MANIFEST, A, 405)
                .withAnnotation(Descriptor.REF_NAME, "app:1").withPlatform(new Platform("linux", "arm64", "v8"))));
        for (Object value : List.of(config, config.config(), config.rootfs(), run, env, manifest, index, layer, new Platform("linux", "arm", "v7"))) {
            assertNotNull(DocumentWriter.write(value), value.toString());
            writesAsTheMapper(value);
        }
        assertNotNull(ConfigReader.read(ImageDocuments.canonicalBytes(config)));
        readsAsTheMapper(ImageDocuments.canonicalBytes(config));
    }

    /** Types the writer does not know, and values it does not write in the obvious way, go to the mapper. */
    @Test
    void otherValuesAreLeftToTheMapper() {
        assertNull(DocumentWriter.write(Map.of("a", 1)));
        assertNull(DocumentWriter.write(ImageConfig.Config.EMPTY.withEnv(Arrays.asList("a", null))));
        assertNull(DocumentWriter.write(new Platform("linux", "amd64", null, null, null, Map.of("x", NODES.numberNode(1.5d)))));
        writesAsTheMapper(ImageConfig.Config.EMPTY.withEnv(Arrays.asList("a", null)));
        writesAsTheMapper(new Platform("linux", "amd64", null, null, null, Map.of("x", NODES.numberNode(1.5d), "y", NODES.pojoNode(List.of(1)))));
    }

    /** What the mapper refuses the reader never accepts; it declines (and the mapper's error stands). */
    @ParameterizedTest
    @ValueSource(strings = {
        "", "[]", "null", "not json", "{} {}", "{\"os\":\"linux\"} trailing",
        "{\"os\":\"linux\",\"os\":\"linux\"}",
        "{\"os\":1}", "{\"os\":true}", "{\"os\":[]}", "{\"os.features\":\"x\"}", "{\"os.features\":[1]}",
        "{\"config\":[]}", "{\"config\":{\"Env\":\"A=1\"}}", "{\"config\":{\"ExposedPorts\":[]}}",
        "{\"config\":{\"Labels\":{\"a\":1}}}", "{\"config\":{\"ArgsEscaped\":1}}", "{\"config\":{\"ArgsEscaped\":\"true\"}}",
        "{\"config\":{\"Healthcheck\":{\"Interval\":1.5}}}", "{\"config\":{\"Healthcheck\":{\"Interval\":\"1\"}}}",
        "{\"config\":{\"Healthcheck\":{\"Interval\":9223372036854775808}}}", "{\"config\":{\"Healthcheck\":{\"Retries\":2147483648}}}",
        "{\"rootfs\":{\"diff_ids\":[\"sha256:abc\"]}}", "{\"rootfs\":{\"diff_ids\":\"x\"}}",
        "{\"history\":{}}", "{\"history\":[1]}", "{\"history\":[{\"empty_layer\":\"yes\"}]}",
        "{\"x\":NaN}", "{\"x\":[1,]}", "{\"x\":{\"a\":1,\"a\":2}}",
    })
    void refusedDocumentsAreNotAccepted(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertNull(readsAsTheMapper(bytes), "expected the mapper to refuse " + text);
        assertNull(ConfigReader.read(bytes));
    }

    /** Unusual documents the mapper reads: the reader declines, so the mapper's reading stands. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"rootfs\":{\"diff_ids\":[null]}}", "{\"config\":{\"Env\":[\"a\",null]}}", "{\"config\":{\"Labels\":{\"a\":null}}}",
        "{\"config\":{\"ArgsEscaped\":null}}", "{\"history\":[null]}", "{\"osVersion\":\"1\"}",
        "{\"config\":{\"Healthcheck\":{\"Retries\":null}}}",
    })
    void unusualDocumentsAreLeftToTheMapper(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertNull(ConfigReader.read(bytes), text);
        readsAsTheMapper(bytes);
    }

    // --- generated corpus ---------------------------------------------------------------------

    @Test
    void generatedConfigsReadAndWriteAsTheMapperDoes() throws Exception {
        Random random = new Random(20261207);
        int readFast = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            ObjectNode tree = configTree(random, i % 3 == 0);
            byte[] bytes = text(tree, random.nextInt(4) == 0);
            ImageConfig value = readsAsTheMapper(bytes);
            partReadsAsTheMapper(bytes, ImageConfig.class);
            if (tree.path("history").isArray()) {
                for (JsonNode entry : tree.path("history")) {
                    partReadsAsTheMapper(text(entry, false), ImageConfig.History.class);
                }
            }
            if (value == null) {
                refused++;
                continue;
            }
            if (ConfigReader.read(bytes) != null) {
                readFast++;
            }
            writesAsTheMapper(value);
            writesAsTheMapper(value.config() == null ? ImageConfig.Config.EMPTY : value.config());
            if (value.history() != null) {
                value.history().forEach(StreamingDocumentsTest::writesAsTheMapper);
            }
            // What was written reads back the same way both ways, too.
            readsAsTheMapper(ImageDocuments.canonicalBytes(value));
        }
        // The corpus exercises both sides: plenty read without the mapper, plenty refused.
        assertTrue(readFast > 500, "read without the mapper: " + readFast);
        assertTrue(refused > 300, "refused: " + refused);
    }

    @Test
    void generatedManifestsIndexesDescriptorsAndPlatformsWriteAsTheMapperDoes() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            Descriptor config = descriptor(random);
            List<Descriptor> layers = new ArrayList<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                layers.add(descriptor(random));
            }
            Manifest manifest = new Manifest(random.nextInt(4) == 0 ? random.nextInt() : 2, maybe(random, string(random)),
                    maybe(random, string(random)), random.nextInt(8) == 0 ? null : config, random.nextBoolean() ? layers : null,
                    random.nextInt(3) == 0 ? descriptor(random) : null, maybe(random, stringMap(random)), unknownFields(random, 0));
            Index index = new Index(2, maybe(random, string(random)), maybe(random, string(random)), random.nextBoolean() ? layers : null,
                    random.nextInt(3) == 0 ? descriptor(random) : null, maybe(random, stringMap(random)), unknownFields(random, 0));
            writesAsTheMapper(manifest);
            writesAsTheMapper(index);
            writesAsTheMapper(config);
            partReadsAsTheMapper(ImageDocuments.canonicalBytesWithMapper(config), Descriptor.class);
            if (config.platform() != null) {
                writesAsTheMapper(config.platform());
                partReadsAsTheMapper(ImageDocuments.canonicalBytesWithMapper(config.platform()), Platform.class);
            }
        }
    }

    private static Descriptor descriptor(Random random) {
        byte[] data = null;
        if (random.nextInt(5) == 0) {
            data = new byte[random.nextInt(5)];
            random.nextBytes(data);
        }
        Platform platform = random.nextInt(3) == 0 ? null : new Platform(maybe(random, string(random)), maybe(random, string(random)),
                maybe(random, string(random)), maybe(random, string(random)), maybe(random, stringList(random)), unknownFields(random, 0));
        long[] sizes = {0, 1, 405, Integer.MAX_VALUE + 1L, Long.MAX_VALUE};
        return new Descriptor(maybe(random, string(random)), random.nextBoolean() ? A : B, sizes[random.nextInt(sizes.length)],
                maybe(random, stringList(random)), maybe(random, stringMap(random)), data, platform, maybe(random, string(random)),
                unknownFields(random, 0));
    }

    /**
     * A config document as a tree: each field absent, valid, null or of another type, in a random
     * order, with unknown fields (and record component spellings) mixed in at every level.
     */
    private static ObjectNode configTree(Random random, boolean valid) {
        ObjectNode doc = NODES.objectNode();
        List<Runnable> fields = new ArrayList<>();
        fields.add(() -> field(random, valid, doc, "created", NODES.textNode(random.nextBoolean() ? "2024-05-01T10:00:00.5Z" : string(random))));
        fields.add(() -> field(random, valid, doc, "author", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, doc, "architecture", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, doc, "os", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, doc, "os.version", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, doc, "os.features", strings(random)));
        fields.add(() -> field(random, valid, doc, "variant", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, doc, "config", configSection(random, valid)));
        fields.add(() -> field(random, valid, doc, "rootfs", rootfs(random, valid)));
        fields.add(() -> {
            ArrayNode history = NODES.arrayNode();
            for (int n = random.nextInt(4); n > 0; n--) {
                history.add(history(random, valid));
            }
            field(random, valid, doc, "history", history);
        });
        unknownInto(random, valid, doc, fields, "osVersion");
        Collections.shuffle(fields, random);
        fields.forEach(Runnable::run);
        return doc;
    }

    private static ObjectNode configSection(Random random, boolean valid) {
        ObjectNode c = NODES.objectNode();
        List<Runnable> fields = new ArrayList<>();
        fields.add(() -> field(random, valid, c, "User", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, c, "ExposedPorts", stringSet(random)));
        fields.add(() -> field(random, valid, c, "Env", strings(random)));
        fields.add(() -> field(random, valid, c, "Entrypoint", strings(random)));
        fields.add(() -> field(random, valid, c, "Cmd", strings(random)));
        fields.add(() -> field(random, valid, c, "Volumes", stringSet(random)));
        fields.add(() -> field(random, valid, c, "WorkingDir", NODES.textNode(string(random))));
        fields.add(() -> {
            ObjectNode labels = NODES.objectNode();
            stringMap(random).forEach(labels::put);
            field(random, valid, c, "Labels", labels);
        });
        fields.add(() -> field(random, valid, c, "StopSignal", NODES.textNode(string(random))));
        fields.add(() -> field(random, valid, c, "ArgsEscaped", NODES.booleanNode(random.nextBoolean())));
        fields.add(() -> {
            ObjectNode h = NODES.objectNode();
            List<Runnable> hf = new ArrayList<>();
            hf.add(() -> field(random, valid, h, "Test", strings(random)));
            for (String name : List.of("Interval", "Timeout", "StartPeriod", "StartInterval")) {
                hf.add(() -> field(random, valid, h, name, NODES.numberNode(longAtLimits(random))));
            }
            hf.add(() -> field(random, valid, h, "Retries", NODES.numberNode(new int[] {0, 3, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}[random.nextInt(5)])));
            unknownInto(random, valid, h, hf, "startPeriod");
            Collections.shuffle(hf, random);
            hf.forEach(Runnable::run);
            field(random, valid, c, "Healthcheck", h);
        });
        fields.add(() -> field(random, valid, c, "OnBuild", strings(random)));
        fields.add(() -> field(random, valid, c, "Shell", strings(random)));
        unknownInto(random, valid, c, fields, "workingDir");
        Collections.shuffle(fields, random);
        fields.forEach(Runnable::run);
        return c;
    }

    private static ObjectNode rootfs(Random random, boolean valid) {
        ObjectNode r = NODES.objectNode();
        List<Runnable> fields = new ArrayList<>();
        fields.add(() -> field(random, valid, r, "type", NODES.textNode(random.nextBoolean() ? "layers" : string(random))));
        fields.add(() -> {
            ArrayNode ids = NODES.arrayNode();
            for (int n = random.nextInt(3); n > 0; n--) {
                ids.add(random.nextInt(20) == 0 && !valid ? "sha256:abc" : (random.nextBoolean() ? A : B).toString());
            }
            field(random, valid, r, "diff_ids", ids);
        });
        unknownInto(random, valid, r, fields, "diffIds");
        Collections.shuffle(fields, random);
        fields.forEach(Runnable::run);
        return r;
    }

    private static ObjectNode history(Random random, boolean valid) {
        ObjectNode h = NODES.objectNode();
        List<Runnable> fields = new ArrayList<>();
        for (String name : List.of("created", "created_by", "author", "comment")) {
            fields.add(() -> field(random, valid, h, name, NODES.textNode(string(random))));
        }
        fields.add(() -> field(random, valid, h, "empty_layer", NODES.booleanNode(random.nextBoolean())));
        unknownInto(random, valid, h, fields, "createdBy");
        Collections.shuffle(fields, random);
        fields.forEach(Runnable::run);
        return h;
    }

    /** Sets a field: usually its valid value; sometimes absent; unless {@code valid}, sometimes null or a wrong type. */
    private static void field(Random random, boolean valid, ObjectNode into, String name, JsonNode value) {
        int roll = random.nextInt(valid ? 10 : 14);
        if (roll < 3) {
            return;
        }
        if (roll < 10) {
            into.set(name, value);
        } else if (roll < 12) {
            into.set(name, NODES.nullNode());
        } else {
            into.set(name, anyTree(random, 0));
        }
    }

    /** Unknown fields (and, unless {@code valid}, a record component's Java spelling). */
    private static void unknownInto(Random random, boolean valid, ObjectNode into, List<Runnable> fields, String componentName) {
        for (int n = random.nextInt(3); n > 0; n--) {
            fields.add(() -> into.set("x-" + string(random), anyTree(random, 0)));
        }
        if (!valid && random.nextInt(6) == 0) {
            fields.add(() -> into.set(componentName, anyTree(random, 0)));
        }
    }

    /** Any JSON value, with the node types the mapper's tree reading gives. */
    private static JsonNode anyTree(Random random, int depth) {
        switch (random.nextInt(depth > 2 ? 6 : 8)) {
            case 0:
                return NODES.textNode(string(random));
            case 1:
                return NODES.numberNode(longAtLimits(random));
            case 2:
                String[] decimals = {"1.0", "1.50", "-0.0", "1E+10", "1.5e-7", "123456789012345678901234567890.000", "0.1"};
                return NODES.numberNode(new BigDecimal(decimals[random.nextInt(decimals.length)]));
            case 3:
                return NODES.numberNode(new BigInteger("98765432109876543210987654321"));
            case 4:
                return NODES.booleanNode(random.nextBoolean());
            case 5:
                return random.nextBoolean() ? NODES.nullNode() : NODES.numberNode(random.nextInt());
            case 6: {
                ObjectNode o = NODES.objectNode();
                for (int n = random.nextInt(4); n > 0; n--) {
                    o.set(string(random), anyTree(random, depth + 1));
                }
                return o;
            }
            default: {
                ArrayNode a = NODES.arrayNode();
                for (int n = random.nextInt(4); n > 0; n--) {
                    a.add(anyTree(random, depth + 1));
                }
                return a;
            }
        }
    }

    private static Map<String, JsonNode> unknownFields(Random random, int depth) {
        if (random.nextInt(3) != 0) {
            return null;
        }
        Map<String, JsonNode> map = new LinkedHashMap<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            map.put(string(random), anyTree(random, depth));
        }
        return map;
    }

    private static long longAtLimits(Random random) {
        long[] values = {0, 1, -1, 30_000_000_000L, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE};
        return values[random.nextInt(values.length)];
    }

    private static ArrayNode strings(Random random) {
        ArrayNode a = NODES.arrayNode();
        stringList(random).forEach(a::add);
        return a;
    }

    private static ObjectNode stringSet(Random random) {
        ObjectNode o = NODES.objectNode();
        for (int n = random.nextInt(4); n > 0; n--) {
            // Go writes {} for each member; any value is skipped when read.
            o.set(string(random), random.nextInt(5) == 0 ? NODES.numberNode(1) : NODES.objectNode());
        }
        return o;
    }

    private static List<String> stringList(Random random) {
        List<String> list = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            list.add(string(random));
        }
        return list;
    }

    private static Map<String, String> stringMap(Random random) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            map.put(string(random), string(random));
        }
        return map;
    }

    private static <T> T maybe(Random random, T value) {
        return random.nextInt(3) == 0 ? null : value;
    }

    private static final String[] PIECES = {"a", "Z", "0", " ", "<", ">", "&", "\"", "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f",
        "é", "\u00ff", "\u2028", "\u2029", "✓", "\uE000", "\uFFFD", "😀", "𝄞", "PATH=/bin", "sha256:"};

    private static String string(Random random) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(5); n > 0; n--) {
            s.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    /** The tree as JSON text, compact or with whitespace, through a generator without Go escapes. */
    private static byte[] text(JsonNode tree, boolean pretty) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = new JsonFactory().createGenerator(out)) {
            if (pretty) {
                gen.useDefaultPrettyPrinter();
            }
            write(gen, tree);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator gen, JsonNode node) throws Exception {
        if (node.isObject()) {
            gen.writeStartObject();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                gen.writeFieldName(e.getKey());
                write(gen, e.getValue());
            }
            gen.writeEndObject();
        } else if (node.isArray()) {
            gen.writeStartArray();
            for (JsonNode element : node) {
                write(gen, element);
            }
            gen.writeEndArray();
        } else if (node.isTextual()) {
            gen.writeString(node.textValue());
        } else if (node.isBigDecimal()) {
            gen.writeNumber(node.decimalValue());
        } else if (node.isNumber()) {
            gen.writeNumber(node.bigIntegerValue());
        } else if (node.isBoolean()) {
            gen.writeBoolean(node.booleanValue());
        } else {
            gen.writeNull();
        }
    }
}

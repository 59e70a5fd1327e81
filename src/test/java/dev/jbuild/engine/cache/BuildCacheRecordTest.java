package dev.jbuild.engine.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A build-cache record's bytes and how they read back. The records were first written through an
 * ObjectMapper's tree; the streaming writer must give the same bytes (stores and exported caches hold
 * them) and read everything the tree reader read.
 */
class BuildCacheRecordTest {

    /** How the records were written and read before: the reference. */
    private static final ObjectMapper TREE = new ObjectMapper();

    private static byte[] treeEncode(BuildCache.Entry entry) throws IOException {
        ObjectNode node = TREE.createObjectNode();
        node.put("version", 1);
        if (entry.layer() != null) {
            node.set("layer", TREE.readTree(ImageDocuments.canonicalBytes(entry.layer().descriptor())));
            node.put("diffId", entry.layer().diffId().toString());
            node.put("whiteouts", entry.whiteouts());
        }
        node.set("history", TREE.readTree(ImageDocuments.canonicalBytes(entry.history())));
        node.set("config", TREE.readTree(ImageDocuments.canonicalBytes(entry.config())));
        return TREE.writeValueAsBytes(node);
    }

    private static BuildCache.Entry treeParse(byte[] bytes) throws IOException {
        JsonNode node = TREE.readTree(bytes);
        if (node == null || node.path("version").asInt() != 1) {
            throw new IOException("unknown record version");
        }
        LayerRecord layer = null;
        if (node.hasNonNull("layer")) {
            layer = new LayerRecord(ImageDocuments.parsePart(TREE.writeValueAsBytes(node.get("layer")), Descriptor.class),
                    Digest.parse(node.path("diffId").asText()));
        }
        return new BuildCache.Entry(layer, node.path("whiteouts").asBoolean(false),
                ImageDocuments.parsePart(TREE.writeValueAsBytes(node.get("history")), ImageConfig.History.class),
                ImageDocuments.parseConfig(TREE.writeValueAsBytes(node.get("config"))).value());
    }

    private static ImageConfig config(String json) throws Exception {
        return ImageDocuments.parseConfig(json.getBytes(StandardCharsets.UTF_8)).value();
    }

    private static List<BuildCache.Entry> entries() throws Exception {
        Descriptor layer = ImageDocuments.parsePart(("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + Digest.of(new byte[] {1}) + "\",\"size\":123456789012,"
                + "\"annotations\":{\"z\":\"1\",\"a\":\"<&>\"}}").getBytes(StandardCharsets.UTF_8), Descriptor.class);
        ImageConfig plain = config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        ImageConfig rich = config("{\"created\":\"2024-01-01T00:00:00Z\",\"architecture\":\"arm64\",\"os\":\"linux\","
                + "\"variant\":\"v8\",\"config\":{\"User\":\"app\",\"Env\":[\"PATH=/bin\",\"Q=\\\"x\\\" <y> & \\u2028 é 😀\"],"
                + "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"ExposedPorts\":{\"80/tcp\":{}},"
                + "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000,\"Retries\":3},"
                + "\"X-Unknown\":{\"n\":1.5,\"big\":12345678901234567890,\"list\":[true,null,-0.0]}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.of(new byte[] {2}) + "\"]},"
                + "\"history\":[{\"created_by\":\"RUN echo <hi> && true\",\"empty_layer\":true}],"
                + "\"moby.buildkit.buildinfo.v1\":\"e30=\",\"float\":3.25e-7}");
        ImageConfig.History run = new ImageConfig.History("2024-01-01T00:00:00Z", "RUN /bin/sh -c echo \"<a&b>\" ☃", null, false);
        ImageConfig.History env = new ImageConfig.History(null, "ENV A=1", "me", true);
        return List.of(
                new BuildCache.Entry(new LayerRecord(layer, Digest.of(new byte[] {3})), true, run, rich),
                new BuildCache.Entry(new LayerRecord(layer, Digest.of(new byte[] {4})), false, run, plain),
                new BuildCache.Entry(null, false, env, rich),
                new BuildCache.Entry(null, false, env, plain));
    }

    @Test
    void theStreamingWriterWritesTheBytesTheTreeWrote() throws Exception {
        for (BuildCache.Entry entry : entries()) {
            byte[] expected = treeEncode(entry);
            assertArrayEquals(expected, BuildCache.encode(entry), new String(expected, StandardCharsets.UTF_8));
        }
    }

    @Test
    void recordsReadBackAsTheTreeReadThem() throws Exception {
        for (BuildCache.Entry entry : entries()) {
            byte[] bytes = treeEncode(entry);
            assertEquals(treeParse(bytes), BuildCache.parse(bytes));
            assertEquals(entry.layer(), BuildCache.parse(bytes).layer());
            assertEquals(entry.whiteouts(), BuildCache.parse(bytes).whiteouts());
        }
    }

    @Test
    void looserRecordsReadAsTheTreeReadThem() throws Exception {
        String config = new String(ImageDocuments.canonicalBytes(entries().get(3).config()), StandardCharsets.UTF_8);
        String history = "{\"created_by\":\"COPY a /a\"}";
        String layer = new String(ImageDocuments.canonicalBytes(entries().get(0).layer().descriptor()), StandardCharsets.UTF_8);
        String diff = Digest.of(new byte[] {5}).toString();
        List<String> records = List.of(
                "{\"version\":\"1\",\"history\":" + history + ",\"config\":" + config + "}",
                "{\"config\":" + config + ",\"whiteouts\":\"true\",\"extra\":{\"a\":[1,{}]},\"version\":1,\"history\":" + history
                        + ",\"layer\":" + layer + ",\"diffId\":\"" + diff + "\"}",
                "{\"version\":1,\"layer\":null,\"whiteouts\":1,\"history\":" + history + ",\"config\":" + config + "}",
                "{\"version\":1,\"config\":" + config + "}",
                "{\"version\":1,\"version\":1,\"history\":{\"created_by\":\"first\"},\"history\":" + history + ",\"config\":" + config + "}");
        for (String record : records) {
            byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
            assertEquals(treeParse(bytes), BuildCache.parse(bytes), record);
        }
    }

    @Test
    void whatTheTreeRefusedIsRefused() {
        for (String record : List.of("", "[]", "{\"version\":2}", "{}", "{\"version\":1", "null")) {
            byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
            assertThrows(IOException.class, () -> treeParse(bytes), record);
            IOException e = assertThrows(IOException.class, () -> BuildCache.parse(bytes), record);
            assertFalse(e.getMessage().contains("Source:") || e.getMessage().contains("StreamReadFeature"),
                    "the message is worded, without Jackson's source excerpt: " + e.getMessage());
        }
    }
}

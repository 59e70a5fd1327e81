package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --annotation TYPE:KEY=VALUE} puts the annotation where buildx puts it, read back from the
 * OCI layout the build writes (unpacked with GNU tar).
 */
@Integration
class AnnotationPlacementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path context;

    @BeforeEach
    void context() throws Exception {
        context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
        Files.writeString(context.resolve("a"), "a\n");
    }

    private Path layout(String... flags) throws Exception {
        Path tar = dir.resolve("out.tar");
        List<String> args = new ArrayList<>(List.of("--root", dir.resolve("store").toString(),
                "build", "--progress=plain", "-t", "annotated:1", "-o", "type=oci,dest=" + tar));
        args.addAll(List.of(flags));
        args.add(context.toString());
        CliTest.Result result = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        Path out = Files.createDirectories(dir.resolve("layout"));
        ExternalTool.command("tar", "-xf", tar.toString(), "-C", out.toString()).runSuccessfully();
        return out;
    }

    private static JsonNode blob(Path layout, JsonNode descriptor) throws Exception {
        String digest = descriptor.get("digest").asText();
        return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
    }

    @Test
    void onePlatformManifestAndItsDescriptor() throws Exception {
        Path layout = layout("--annotation", "plain=1", "--annotation", "manifest:typed=2",
                "--annotation", "manifest-descriptor:desc=3", "--annotation", "manifest,manifest-descriptor:both=4",
                "--annotation", "org.opencontainers.image.source=https://example.com/x");
        JsonNode entry = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0);
        JsonNode manifest = blob(layout, entry);
        JsonNode annotations = manifest.get("annotations");
        assertEquals("1", annotations.path("plain").asText());
        assertEquals("2", annotations.path("typed").asText());
        assertEquals("4", annotations.path("both").asText());
        assertEquals("https://example.com/x", annotations.path("org.opencontainers.image.source").asText());
        assertFalse(annotations.has("manifest:typed"), annotations.toString());
        assertFalse(annotations.has("desc"), annotations.toString());
        assertEquals("3", entry.get("annotations").path("desc").asText(), entry.toString());
        assertEquals("4", entry.get("annotations").path("both").asText(), entry.toString());
        assertFalse(entry.get("annotations").has("plain"), entry.toString());
    }

    @Test
    void severalPlatformsIndexDescriptorsAndPlatformQualifiedManifests() throws Exception {
        Path layout = layout("--platform", "linux/amd64,linux/arm64", "--annotation", "all=1",
                "--annotation", "manifest[linux/arm64]:arm=2", "--annotation", "index:idx=3",
                "--annotation", "index-descriptor:idxdesc=4", "--annotation", "manifest-descriptor[linux/amd64]:mdesc=5");
        JsonNode entry = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0);
        assertEquals("4", entry.get("annotations").path("idxdesc").asText(), entry.toString());
        JsonNode index = blob(layout, entry);
        assertEquals("3", index.get("annotations").path("idx").asText(), index.toString());
        assertFalse(index.get("annotations").has("all"), index.toString());
        int seen = 0;
        for (JsonNode child : index.get("manifests")) {
            String arch = child.get("platform").get("architecture").asText();
            JsonNode manifest = blob(layout, child).get("annotations");
            assertEquals("1", manifest.path("all").asText(), arch);
            if (arch.equals("arm64")) {
                assertEquals("2", manifest.path("arm").asText());
                assertNull(child.get("annotations"), child.toString());
            } else {
                assertFalse(manifest.has("arm"), manifest.toString());
                assertEquals("5", child.get("annotations").path("mdesc").asText(), child.toString());
            }
            seen++;
        }
        assertEquals(2, seen);
    }

    @Test
    void indexAnnotationsNeedAnIndexAndTypesAreBuildxs() {
        String root = dir.resolve("store").toString();
        CliTest.Result index = CliTest.run("--root", root, "build", "--annotation", "index:a=b", context.toString());
        assertEquals(ExitCodes.USAGE, index.exitCode(), index.err());
        assertTrue(index.err().contains("index annotations"), index.err());
        CliTest.Result unknown = CliTest.run("--root", root, "build", "--annotation", "config:a=b", context.toString());
        assertEquals(ExitCodes.USAGE, unknown.exitCode(), unknown.err());
        assertTrue(unknown.err().contains("unknown annotation type \"config\""), unknown.err());
        CliTest.Result otherPlatform = CliTest.run("--root", root, "build", "--platform", "linux/amd64",
                "--annotation", "manifest[linux/s390x]:a=b", context.toString());
        assertEquals(ExitCodes.USAGE, otherPlatform.exitCode(), otherPlatform.err());
        assertTrue(otherPlatform.err().contains("no platform linux/s390x is built"), otherPlatform.err());
    }
}

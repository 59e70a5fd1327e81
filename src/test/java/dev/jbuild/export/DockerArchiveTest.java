package dev.jbuild.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.Podman;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -o type=docker}: what {@code docker save} writes since Docker 25, loaded by podman. */
class DockerArchiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    Store store;
    TestImages.Image image;

    @BeforeEach
    void setUp() throws IOException {
        store = Store.open(temp.resolve("store"));
        image = TestImages.standard(store);
    }

    @Test
    void manifestJsonAndRepositoriesAreDockers() throws IOException {
        Path tar = export(image.manifest(), List.of("app:1.0", "ghcr.io/team/app:latest"), null, "docker.tar");
        Map<String, byte[]> files = Archives.files(tar);

        JsonNode manifest = JSON.readTree(files.get("manifest.json"));
        assertEquals(1, manifest.size());
        JsonNode item = manifest.get(0);
        assertEquals(List.of("Config", "RepoTags", "Layers"), fieldNames(item));
        assertEquals("blobs/sha256/" + image.config().digest().hex(), item.get("Config").asText());
        assertEquals(List.of("app:1.0", "ghcr.io/team/app:latest"), texts(item.get("RepoTags")));
        assertEquals(image.layers().stream().map(d -> "blobs/sha256/" + d.digest().hex()).toList(), texts(item.get("Layers")));
        for (String member : texts(item.get("Layers"))) {
            assertTrue(files.containsKey(member), member);
        }

        JsonNode repositories = JSON.readTree(files.get("repositories"));
        String top = image.diffIds().get(2).hex();
        assertEquals(top, repositories.get("app").get("1.0").asText());
        assertEquals(top, repositories.get("ghcr.io/team/app").get("latest").asText());

        Index index = ImageDocuments.parseIndex(files.get("index.json")).value();
        assertEquals(2, index.manifests().size());
        assertEquals(new Platform("linux", "amd64"), index.manifests().get(0).platform());
        assertEquals(List.of("blobs/", "blobs/sha256/"), Archives.members(tar).stream()
                .map(Archives.Member::name).filter(n -> n.endsWith("/")).toList());
    }

    @Integration
    @Test
    void podmanLoadsItWithTheConfigDigestAsId() throws IOException {
        Path tar = export(image.manifest(), List.of("localhost/jbuild-export-test:1.0"), null, "docker.tar");
        try (Podman podman = Podman.withPrivateStorage()) {
            String output = podman.command("load", "-i", tar.toString()).runSuccessfully().stdout();
            assertTrue(output.contains("localhost/jbuild-export-test:1.0"), output);

            String id = podman.command("image", "inspect", "--format", "{{.Id}}", "localhost/jbuild-export-test:1.0")
                    .runSuccessfully().stdout().trim();
            assertEquals(image.config().digest().hex(), id);
            String layers = podman.command("image", "inspect", "--format", "{{json .RootFS.Layers}}",
                    "localhost/jbuild-export-test:1.0").runSuccessfully().stdout().trim();
            assertEquals(image.diffIds().stream().map(d -> d.toString()).toList(), texts(JSON.readTree(layers)));
        }
        // podman load tries oci-archive before docker-archive and succeeds with the first; the
        // docker-archive reader (manifest.json, what older tools use) must work on its own too.
        try (Podman podman = Podman.withPrivateStorage()) {
            podman.command("pull", "docker-archive:" + tar).runSuccessfully();
            String id = podman.command("image", "inspect", "--format", "{{.Id}}", "localhost/jbuild-export-test:1.0")
                    .runSuccessfully().stdout().trim();
            assertEquals(image.config().digest().hex(), id);
        }
    }

    @Integration
    @Test
    void skopeoReadsItAsADockerArchive() throws IOException {
        Path tar = export(image.manifest(), List.of("app:1.0"), null, "docker.tar");
        JsonNode inspect = JSON.readTree(ExternalTool.command("skopeo", "inspect", "--config",
                "docker-archive:" + tar + ":docker.io/library/app:1.0").runSuccessfully().stdout());
        assertEquals(texts(inspect.get("rootfs").get("diff_ids")),
                image.diffIds().stream().map(d -> d.toString()).toList());
    }

    @Test
    void anIndexGivesTheRequestedPlatformOnly() throws IOException {
        TestImages.Image arm = TestImages.single(store, new Platform("linux", "arm64", "v8"), "arm");
        Descriptor index = TestImages.index(store, image, arm);

        Path tar = export(index, List.of("app:multi"), Platform.parse("linux/arm64"), "arm.tar");
        Map<String, byte[]> files = Archives.files(tar);

        JsonNode item = JSON.readTree(files.get("manifest.json")).get(0);
        assertEquals("blobs/sha256/" + arm.config().digest().hex(), item.get("Config").asText());
        assertFalse(files.containsKey("blobs/sha256/" + image.config().digest().hex()), "other platforms stay out");
        assertFalse(files.containsKey("blobs/sha256/" + index.digest().hex()));
        Descriptor entry = ImageDocuments.parseIndex(files.get("index.json")).value().manifests().get(0);
        assertEquals(arm.manifest().digest(), entry.digest());
        assertEquals("v8", entry.platform().variant());

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.dockerArchive(store, index, List.of(), Platform.parse("linux/s390x"), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("linux/s390x") && e.getMessage().contains("linux/arm64/v8"), e.getMessage());
    }

    @Test
    void untaggedAndDigestNamesAreNotDockerTags() throws IOException {
        Path tar = export(image.manifest(), List.of("app@" + image.manifest().digest()), null, "digest.tar");
        Map<String, byte[]> files = Archives.files(tar);
        assertEquals(List.of(), texts(JSON.readTree(files.get("manifest.json")).get(0).get("RepoTags")));
        assertFalse(files.containsKey("repositories"));
    }

    @Test
    void theSameImageGivesTheSameBytes() throws IOException {
        byte[] first = Files.readAllBytes(export(image.manifest(), List.of("app:1.0"), null, "a.tar"));
        byte[] second = Files.readAllBytes(export(image.manifest(), List.of("app:1.0"), null, "b.tar"));
        assertTrue(Arrays.equals(first, second));
    }

    private Path export(Descriptor root, List<String> names, Platform platform, String file) throws IOException {
        Path tar = temp.resolve(file);
        try (OutputStream out = Files.newOutputStream(tar)) {
            Exporter.dockerArchive(store, root, names, platform, Instant.EPOCH, out);
        }
        return tar;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}

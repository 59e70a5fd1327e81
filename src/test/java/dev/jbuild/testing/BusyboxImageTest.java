package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The busybox base image is a valid OCI image for skopeo, umoci and podman, and is reproducible. */
@Integration
class BusyboxImageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static BusyboxImage image;

    @BeforeAll
    static void writeImage() {
        image = BusyboxImage.write(work.resolve("layout"), "1.35");
    }

    @Test
    void skopeoReadsTheLayoutWithTheExpectedDigestPlatformAndConfig() throws IOException {
        JsonNode inspect = JSON.readTree(ExternalTool.command("skopeo", "--insecure-policy", "inspect",
                image.ociReference()).runSuccessfully().stdout());

        assertEquals(image.manifestDigest(), inspect.path("Digest").asText());
        assertEquals(image.architecture(), inspect.path("Architecture").asText());
        assertEquals("linux", inspect.path("Os").asText());
        assertEquals(List.of(image.layerDigest()), texts(inspect.path("Layers")));

        JsonNode config = JSON.readTree(ExternalTool.command("skopeo", "--insecure-policy", "inspect", "--config",
                image.ociReference()).runSuccessfully().stdout());
        assertEquals(List.of(BusyboxImage.PATH_ENV), texts(config.path("config").path("Env")));
        assertEquals(List.of("sh"), texts(config.path("config").path("Cmd")));
        assertEquals(List.of(image.diffId()), texts(config.path("rootfs").path("diff_ids")));
    }

    @Test
    void umociUnpacksARootfsWhoseBusyboxRuns() throws IOException {
        Path bundle = work.resolve("bundle");
        ExternalTool.command("umoci", "unpack", "--rootless", "--image", image.umociReference(), bundle.toString())
                .runSuccessfully();

        Path rootfs = bundle.resolve("rootfs");
        assertTrue(Files.isExecutable(rootfs.resolve("bin/busybox")));
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(rootfs.resolve("bin/sh")));
        ExternalTool.command(rootfs.resolve("bin/busybox").toString(), "true").runSuccessfully();
        assertEquals("hello\n", ExternalTool.command(rootfs.resolve("bin/busybox").toString(), "echo", "hello")
                .runSuccessfully().stdout());
        assertTrue(Files.readString(rootfs.resolve("etc/passwd")).contains("app:x:1000:1000:app:/home/app:/bin/sh\n"));
    }

    @Test
    void theLayerHasTheAccountsDirectoriesAndAppletsBuildsNeed() throws IOException {
        Map<String, TarArchiveEntry> entries = new HashMap<>();
        List<String> order = new ArrayList<>();
        try (InputStream blob = Files.newInputStream(image.blob(image.layerDigest()));
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(blob))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.put(entry.getName(), entry);
                order.add(entry.getName());
            }
        }

        assertEquals(order.stream().sorted().toList(), order, "entries are sorted");
        assertEquals(01777, entries.get("tmp/").getMode());
        assertEquals(0700, entries.get("root/").getMode());
        assertEquals(1000L, entries.get("home/app/").getLongUserId());
        assertEquals(1000L, entries.get("home/app/").getLongGroupId());
        assertEquals(0755, entries.get("bin/busybox").getMode());
        for (String applet : BusyboxImage.APPLETS) {
            TarArchiveEntry link = entries.get("bin/" + applet);
            assertTrue(link != null && link.isSymbolicLink(), applet);
            assertEquals("busybox", link.getLinkName());
        }
        for (TarArchiveEntry entry : entries.values()) {
            assertEquals("", entry.getUserName(), entry.getName());
            assertEquals(BusyboxRootfs.MTIME, entry.getLastModifiedTime().toInstant(), entry.getName());
        }
    }

    @Test
    void isReproducibleAndAddsTagsToOneLayout() throws IOException {
        BusyboxImage again = BusyboxImage.write(work.resolve("other-layout"), "1.35");
        assertEquals(image.manifestDigest(), again.manifestDigest());
        assertArrayEquals(Files.readAllBytes(image.blob(image.layerDigest())),
                Files.readAllBytes(again.blob(again.layerDigest())));

        BusyboxImage latest = BusyboxImage.write(work.resolve("other-layout"), "latest");
        JsonNode index = JSON.readTree(work.resolve("other-layout/index.json").toFile());
        List<String> tags = new ArrayList<>();
        index.path("manifests").forEach(m -> tags.add(m.path("annotations").path(BusyboxImage.REF_NAME_ANNOTATION).asText()));
        assertEquals(List.of("1.35", "latest"), tags);
        ExternalTool.command("skopeo", "--insecure-policy", "inspect", latest.ociReference()).runSuccessfully();
    }

    @Test
    void podmanImportsTheLayoutAndRunsIt() throws IOException {
        try (Podman podman = Podman.withPrivateStorage()) {
            String id = podman.command("pull", "--quiet", image.ociReference()).runSuccessfully().stdout().strip();
            JsonNode inspect = JSON.readTree(podman.command("image", "inspect", id).runSuccessfully().stdout()).get(0);
            assertEquals(image.architecture(), inspect.path("Architecture").asText());
            assertEquals(List.of("sh"), texts(inspect.path("Config").path("Cmd")));
            assertNotEquals("", id);

            // The suite runs as root (scripts/test.sh), where podman can run containers (see Podman).
            assertTrue(Podman.canRunContainers(), "podman cannot run containers here: " + Podman.whyContainersCannotRun());
            String output = podman.run(id, "sh", "-c", "id app; stat -c '%a %u:%g' /tmp /home/app; echo ok").stdout();
            assertEquals("uid=1000(app) gid=1000(app) groups=1000(app)\n1777 0:0\n755 1000:1000\nok\n", output);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}

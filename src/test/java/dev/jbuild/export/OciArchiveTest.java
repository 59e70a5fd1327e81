package dev.jbuild.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -o type=oci}: an OCI image layout in a tar, checked member by member and with skopeo and umoci. */
class OciArchiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("app:1.0");

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
    void membersAreSortedWithFixedOwnersModesAndTimes() throws IOException {
        Path tar = export(image.manifest(), NAMES, Instant.EPOCH, "out.tar");

        List<String> expectedNames = new ArrayList<>(List.of("blobs/", "blobs/sha256/"));
        List<String> blobNames = new ArrayList<>();
        for (Descriptor d : allBlobs()) {
            blobNames.add("blobs/sha256/" + d.digest().hex());
        }
        blobNames.sort(null);
        expectedNames.addAll(blobNames);
        expectedNames.addAll(List.of("index.json", "oci-layout"));
        List<Archives.Member> members = Archives.members(tar);
        assertEquals(expectedNames, members.stream().map(Archives.Member::name).toList());
        for (Archives.Member m : members) {
            assertEquals(m.directory() ? 0755 : 0644, m.mode(), m.name());
            assertEquals(0, m.uid(), m.name());
            assertEquals(0, m.gid(), m.name());
            assertEquals("", m.userName(), m.name());
            assertEquals("", m.groupName(), m.name());
            assertEquals(0, m.mtimeSeconds(), m.name());
        }
        Map<String, byte[]> files = Archives.files(tar);
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", new String(files.get("oci-layout")));
        Index index = ImageDocuments.parseIndex(files.get("index.json")).value();
        assertEquals(1, index.manifests().size());
        Descriptor entry = index.manifests().get(0);
        assertEquals(image.manifest().digest(), entry.digest());
        assertEquals("1.0", entry.annotation(Descriptor.REF_NAME));
        assertEquals("docker.io/library/app:1.0", entry.annotation(Exporter.IMAGE_NAME_ANNOTATION));
        assertEquals(new Platform("linux", "amd64"), entry.platform(), "the entry names its platform, as BuildKit's does");
        for (Descriptor d : allBlobs()) {
            assertArrayEquals(store.readBytes(d.digest()), files.get("blobs/sha256/" + d.digest().hex()));
        }
    }

    @Test
    void theSameImageGivesTheSameBytes() throws IOException {
        byte[] first = Files.readAllBytes(export(image.manifest(), NAMES, Instant.EPOCH, "a.tar"));
        byte[] second = Files.readAllBytes(export(image.manifest(), NAMES, Instant.EPOCH, "b.tar"));
        assertArrayEquals(first, second);

        Instant sourceDateEpoch = Instant.ofEpochSecond(1_650_000_000);
        Path dated = export(image.manifest(), NAMES, sourceDateEpoch, "c.tar");
        assertTrue(Archives.members(dated).stream().allMatch(m -> m.mtimeSeconds() == 1_650_000_000L));
    }

    @Test
    void namesMakeOneIndexEntryEach() throws IOException {
        Path tar = export(image.manifest(), List.of("app:1.0", "registry.example:5000/team/app:2", "app:1.0",
                "app@" + image.manifest().digest()), Instant.EPOCH, "names.tar");
        Index index = ImageDocuments.parseIndex(Archives.files(tar).get("index.json")).value();
        Map<String, String> names = new TreeMap<>();
        for (Descriptor d : index.manifests()) {
            assertEquals(image.manifest().digest(), d.digest());
            names.put(d.annotation(Exporter.IMAGE_NAME_ANNOTATION), String.valueOf(d.annotation(Descriptor.REF_NAME)));
        }
        assertEquals(Map.of("docker.io/library/app:1.0", "1.0", "registry.example:5000/team/app:2", "2",
                "docker.io/library/app@" + image.manifest().digest(), "null"), names);

        Path unnamed = export(image.manifest(), List.of(), Instant.EPOCH, "unnamed.tar");
        Descriptor only = ImageDocuments.parseIndex(Archives.files(unnamed).get("index.json")).value().manifests().get(0);
        assertEquals(null, only.annotations());
    }

    @Integration
    @Test
    void skopeoReadsTheArchiveWithAndWithoutATag() throws IOException {
        Path tar = export(image.manifest(), NAMES, Instant.EPOCH, "out.tar");
        List<String> layerDigests = image.layers().stream().map(d -> d.digest().toString()).toList();

        for (String reference : List.of("oci-archive:" + tar, "oci-archive:" + tar + ":1.0")) {
            JsonNode inspect = JSON.readTree(ExternalTool.command("skopeo", "inspect", reference).runSuccessfully().stdout());
            assertEquals(image.manifest().digest().toString(), inspect.get("Digest").asText(), reference);
            List<String> layers = new ArrayList<>();
            inspect.get("Layers").forEach(l -> layers.add(l.asText()));
            assertEquals(layerDigests, layers, reference);
            assertEquals("amd64", inspect.get("Architecture").asText());
        }
        ExternalTool.command("skopeo", "inspect", "oci-archive:" + tar + ":no-such-tag").run().assertFailure();
    }

    @Integration
    @Test
    void umociUnpacksTheExpectedTree() throws IOException {
        Path tar = export(image.manifest(), NAMES, Instant.EPOCH, "out.tar");
        Path layout = Archives.extract(tar, temp.resolve("layout"));
        Path bundle = temp.resolve("bundle");

        ExternalTool.command("umoci", "unpack", "--rootless", "--image", layout + ":1.0", bundle.toString())
                .runSuccessfully();

        TreeView rootfs = TreeView.ofDirectory(bundle.resolve("rootfs"));
        // umoci --rootless leaves everything owned by the caller; compare the rest.
        assertEquals(withoutOwners(TestImages.expectedTree()), withoutOwners(rootfs.entries()));
        assertEquals(Map.of(), rootfs.links(), "bin/tool-link keeps the first bin/tool, a separate file now");
    }

    @Integration
    @Test
    void anIndexIsArchivedWithEveryPlatform() throws IOException {
        TestImages.Image arm = TestImages.standard(store, new Platform("linux", "arm64", "v8"), Compression.ZSTD);
        Descriptor index = TestImages.index(store, image, arm);

        Path tar = export(index, NAMES, Instant.EPOCH, "multi.tar");

        Map<String, byte[]> files = Archives.files(tar);
        for (TestImages.Image i : List.of(image, arm)) {
            assertTrue(files.containsKey("blobs/sha256/" + i.manifest().digest().hex()));
            assertTrue(files.containsKey("blobs/sha256/" + i.config().digest().hex()));
            for (Descriptor layer : i.layers()) {
                assertTrue(files.containsKey("blobs/sha256/" + layer.digest().hex()), layer.toString());
            }
        }
        Descriptor entry = ImageDocuments.parseIndex(files.get("index.json")).value().manifests().get(0);
        assertEquals(index.digest(), entry.digest());
        assertEquals("application/vnd.oci.image.index.v1+json", entry.mediaType());

        String raw = ExternalTool.command("skopeo", "inspect", "--raw", "oci-archive:" + tar + ":1.0").runSuccessfully().stdout();
        assertArrayEquals(store.readBytes(index.digest()), raw.getBytes());
        JsonNode armInspect = JSON.readTree(ExternalTool.command("skopeo", "--override-arch", "arm64", "inspect",
                "oci-archive:" + tar + ":1.0").runSuccessfully().stdout());
        // skopeo reports the index's digest as "Digest"; the chosen image shows in its layers.
        assertEquals(index.digest().toString(), armInspect.get("Digest").asText());
        assertEquals("arm64", armInspect.get("Architecture").asText());
        assertEquals(arm.layers().get(2).digest().toString(), armInspect.get("Layers").get(2).asText());
    }

    @Test
    void aMissingBlobFailsBeforeAnythingIsWritten() throws IOException {
        Files.delete(store.path(image.layers().get(0).digest()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.ociArchive(store, image.manifest(), NAMES, out));
        assertTrue(e.getMessage().contains(image.layers().get(0).digest() + " (referenced by manifest "
                + image.manifest().digest()), e.getMessage());
        assertEquals(0, out.size());
    }

    @Test
    void aDamagedBlobIsNotArchivedAsIfItWereTheImage() throws IOException {
        Path blob = store.path(image.layers().get(1).digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(blob, bytes);
        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.ociArchive(store, image.manifest(), NAMES, OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void badNamesAreRejectedClearly() {
        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.ociArchive(store, image.manifest(), List.of("Bad Name"), OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("Bad Name"), e.getMessage());
    }

    private List<Descriptor> allBlobs() {
        List<Descriptor> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        blobs.add(image.manifest());
        return blobs;
    }

    private Path export(Descriptor root, List<String> names, Instant mtime, String file) throws IOException {
        Path tar = temp.resolve(file);
        try (OutputStream out = Files.newOutputStream(tar)) {
            Exporter.ociArchive(store, root, names, mtime, out);
        }
        return tar;
    }

    static Map<String, String> withoutOwners(Map<String, String> tree) {
        Map<String, String> out = new TreeMap<>();
        tree.forEach((k, v) -> out.put(k, v.replaceFirst(" \\d+:\\d+", "")));
        return out;
    }
}

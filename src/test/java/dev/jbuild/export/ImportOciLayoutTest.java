package dev.jbuild.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.store.Store;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --build-context name=oci-layout:///path:tag}: an OCI layout's image copied into the store. */
class ImportOciLayoutTest {

    private static final Platform AMD64 = new Platform("linux", "amd64");

    @TempDir
    Path temp;

    Store source;
    Store target;
    TestImages.Image image;

    @BeforeEach
    void setUp() throws IOException {
        source = Store.open(temp.resolve("source"));
        target = Store.open(temp.resolve("target"));
        image = TestImages.standard(source);
    }

    @Test
    void anExportedLayoutRoundTripsByTagNameDigestOrAlone() throws IOException {
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));

        for (String reference : new String[] {"1.0", "app:1.0", "docker.io/library/app:1.0",
                "@" + image.manifest().digest(), image.manifest().digest().toString(), null, ""}) {
            Store fresh = Store.open(temp.resolve("fresh-" + Math.abs(String.valueOf(reference).hashCode())));
            Descriptor imported = Exporter.importOciLayout(fresh, layout, reference, AMD64);
            assertEquals(image.manifest().digest(), imported.digest(), String.valueOf(reference));
            assertEquals(MediaTypes.OCI_MANIFEST, imported.mediaType());
            assertEquals(image.manifest().size(), imported.size());
            assertStored(fresh, image);
        }
    }

    @Integration
    @Test
    void aLayoutWrittenBySkopeoIsImported() throws IOException {
        // skopeo compresses plain-tar layers when it writes an oci: layout (a new digest); all gzip keeps them.
        image = TestImages.standard(source, AMD64, Compression.GZIP);
        Path archive = temp.resolve("out.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            Exporter.ociArchive(source, image.manifest(), List.of("app:1.0"), out);
        }
        Path layout = temp.resolve("skopeo-layout");
        ExternalTool.command("skopeo", "copy", "oci-archive:" + archive + ":1.0", "oci:" + layout + ":copied")
                .runSuccessfully();

        Descriptor imported = Exporter.importOciLayout(target, layout, "copied", AMD64);

        assertEquals(image.manifest().digest(), imported.digest());
        assertStored(target, image);
        // And the imported image exports again to the very same archive.
        Path again = temp.resolve("again.tar");
        try (OutputStream out = Files.newOutputStream(again)) {
            Exporter.ociArchive(target, imported, List.of("app:1.0"), out);
        }
        assertArrayEquals(Files.readAllBytes(archive), Files.readAllBytes(again));
    }

    @Test
    void aPlatformIsChosenFromAnIndex() throws IOException {
        TestImages.Image arm = TestImages.single(source, new Platform("linux", "arm64", "v8"), "arm");
        Descriptor index = TestImages.index(source, image, arm);
        Path layout = layoutOf(index, List.of("app:multi"));

        Descriptor imported = Exporter.importOciLayout(target, layout, "multi", Platform.parse("linux/arm64"));

        assertEquals(arm.manifest().digest(), imported.digest());
        assertEquals("arm64", imported.platform().architecture());
        assertStored(target, arm);
        assertFalse(target.has(image.config().digest()), "only the chosen platform is copied");
        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, "multi", Platform.parse("linux/ppc64le")));
        assertTrue(e.getMessage().contains("no manifest for linux/ppc64le"), e.getMessage());
    }

    @Test
    void aChildManifestCanBeNamedByDigest() throws IOException {
        TestImages.Image arm = TestImages.single(source, new Platform("linux", "arm64", "v8"), "arm");
        Path layout = layoutOf(TestImages.index(source, image, arm), List.of("app:multi"));

        Descriptor imported = Exporter.importOciLayout(target, layout, "@" + arm.manifest().digest(), AMD64);

        assertEquals(arm.manifest().digest(), imported.digest());
        ExportException e = assertThrows(ExportException.class, () -> Exporter.importOciLayout(target, layout,
                "sha256:" + "0".repeat(64), AMD64));
        assertTrue(e.getMessage().contains("has no image or blob sha256:000"), e.getMessage());
    }

    @Test
    void unknownOrAmbiguousNamesAreErrorsThatListWhatThereIs() throws IOException {
        TestImages.Image other = TestImages.single(source, AMD64, "other");
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));
        addIndexEntry(layout, other, "2.0");

        ExportException missing = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, "3.0", AMD64));
        assertTrue(missing.getMessage().contains("no image named '3.0'") && missing.getMessage().contains("1.0, 2.0"),
                missing.getMessage());
        ExportException which = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, null, AMD64));
        assertTrue(which.getMessage().contains("holds 2 images"), which.getMessage());
        assertEquals(other.manifest().digest(), Exporter.importOciLayout(target, layout, "2.0", AMD64).digest());
    }

    @Test
    void aBlobWhoseContentDoesNotMatchItsDigestIsRejectedAndNotStored() throws IOException {
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));
        Descriptor layer = image.layers().get(1);
        Path blob = layout.resolve("blobs/sha256/" + layer.digest().hex());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[10] ^= 1;
        Files.write(blob, bytes);

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, "1.0", AMD64));

        assertTrue(e.getMessage().contains(layer.digest().toString()), e.getMessage());
        assertFalse(target.has(layer.digest()));
        assertFalse(target.has(image.manifest().digest()), "no manifest without its layers");
        assertNoTemporaryFiles(target);
    }

    @Test
    void aTruncatedBlobInTheStoreIsImportedAgainNotTakenForPresent() throws IOException {
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));
        Exporter.importOciLayout(target, layout, "1.0", AMD64);
        Descriptor layer = image.layers().get(1);
        Path stored = target.path(layer.digest());
        try (var channel = java.nio.channels.FileChannel.open(stored, StandardOpenOption.WRITE)) {
            channel.truncate(layer.size() / 2);
        }

        Exporter.importOciLayout(target, layout, "1.0", AMD64);

        assertEquals(layer.size(), Files.size(stored), "the damaged copy was replaced");
        assertStored(target, image);
        assertNoTemporaryFiles(target);
    }

    @Test
    void aBlobLongerThanItsDescriptorIsRejected() throws IOException {
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));
        Path blob = layout.resolve("blobs/sha256/" + image.config().digest().hex());
        Files.write(blob, new byte[] {' '}, StandardOpenOption.APPEND);

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, "1.0", AMD64));
        assertTrue(e.getMessage().contains("the manifest gives config " + image.config().digest() + " a size of "),
                e.getMessage());
        assertFalse(target.has(image.manifest().digest()));
        assertNoTemporaryFiles(target);
    }

    @Test
    void anIndexPointingToAMissingBlobIsRejected() throws IOException {
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));
        Files.delete(layout.resolve("blobs/sha256/" + image.manifest().digest().hex()));
        ExportException noManifest = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, "1.0", AMD64));
        assertTrue(noManifest.getMessage().contains("manifest blob " + image.manifest().digest() + " is missing"),
                noManifest.getMessage());

        Path layout2 = layoutOf(image.manifest(), List.of("app:1.0"), "layout2");
        Files.delete(layout2.resolve("blobs/sha256/" + image.layers().get(2).digest().hex()));
        ExportException noLayer = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout2, "1.0", AMD64));
        assertTrue(noLayer.getMessage().contains("layer blob " + image.layers().get(2).digest() + " is missing"),
                noLayer.getMessage());
        assertFalse(target.has(image.manifest().digest()));
    }

    @Test
    void blobsOutsideTheLayoutAreNotRead() throws IOException {
        Path layout = layoutOf(image.manifest(), List.of("app:1.0"));
        Path config = layout.resolve("blobs/sha256/" + image.config().digest().hex());
        Path outside = Files.write(temp.resolve("outside"), Files.readAllBytes(config));
        Files.delete(config);
        Files.createSymbolicLink(config, outside);

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, layout, "1.0", AMD64));
        assertTrue(e.getMessage().contains("outside the layout"), e.getMessage());
    }

    @Test
    void somethingThatIsNotALayoutIsSaidToBeSo() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("plain"));
        ExportException e = assertThrows(ExportException.class, () -> Exporter.importOciLayout(target, dir, null, AMD64));
        assertTrue(e.getMessage().contains("no oci-layout file"), e.getMessage());
        ExportException missing = assertThrows(ExportException.class,
                () -> Exporter.importOciLayout(target, temp.resolve("nowhere"), null, AMD64));
        assertTrue(missing.getMessage().contains("not a directory"), missing.getMessage());
    }

    private Path layoutOf(Descriptor root, List<String> names) throws IOException {
        return layoutOf(root, names, "layout");
    }

    private Path layoutOf(Descriptor root, List<String> names, String dir) throws IOException {
        Path archive = temp.resolve(dir + ".tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            Exporter.ociArchive(source, root, names, out);
        }
        return Archives.extract(archive, temp.resolve(dir));
    }

    /** Adds an image's blobs and an index.json entry tagged {@code tag} to a layout directory. */
    private void addIndexEntry(Path layout, TestImages.Image extra, String tag) throws IOException {
        List<Descriptor> blobs = new ArrayList<>(extra.layers());
        blobs.add(extra.config());
        blobs.add(extra.manifest());
        for (Descriptor d : blobs) {
            Files.write(layout.resolve("blobs/sha256/" + d.digest().hex()), source.readBytes(d.digest()));
        }
        Path indexJson = layout.resolve("index.json");
        Index index = ImageDocuments.parseIndex(Files.readAllBytes(indexJson)).value();
        List<Descriptor> entries = new ArrayList<>(index.manifests());
        entries.add(extra.manifest().withAnnotation(Descriptor.REF_NAME, tag));
        Files.write(indexJson, ImageDocuments.encode(index.withManifests(entries)).bytes());
    }

    private static void assertStored(Store store, TestImages.Image image) throws IOException {
        List<Digest> digests = new ArrayList<>();
        image.layers().forEach(d -> digests.add(d.digest()));
        digests.add(image.config().digest());
        digests.add(image.manifest().digest());
        for (Digest d : digests) {
            assertTrue(store.has(d), d + " is stored");
            assertEquals(d, Digest.of(store.readBytes(d)));
        }
    }

    private static void assertNoTemporaryFiles(Store store) throws IOException {
        try (Stream<Path> files = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), files.toList());
        }
    }
}

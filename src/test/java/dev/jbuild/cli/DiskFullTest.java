package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing on a file system that fills up: small tmpfs mounts (as root, as the suite runs in CI) as the store or
 * as an output's destination. Whatever fills up (a RUN, a layer, a pulled blob, an archive, a cache export),
 * the error names the file being written and the store (or the destination), and nothing half-written stays
 * behind that a later build would trust: after more space, the same command succeeds on the same store.
 */
@Integration
class DiskFullTest {

    private static final String STORE_ADVICE = "free space or choose another store with --root";
    private static final String DESTINATION_ADVICE = "free space there or write the output elsewhere";

    @TempDir
    Path temp;

    private final List<Path> mounts = new ArrayList<>();

    /** A directory of {@code temp} on its own tmpfs of {@code mebibytes}. */
    private Path smallFileSystem(String name, int mebibytes) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(name));
        ExternalTool.command("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs", dir.toString()).runSuccessfully();
        mounts.add(dir);
        return dir;
    }

    /** Frees space the way a user would: here by growing the file system. */
    private static void grow(Path mount, int mebibytes) {
        ExternalTool.command("mount", "-o", "remount,size=" + mebibytes + "m", mount.toString()).runSuccessfully();
    }

    /** Lazily: a failed build may still hold a file of the store open in this JVM. */
    @AfterEach
    void unmount() {
        for (Path mount : mounts) {
            ExternalTool.command("umount", "--lazy", mount.toString()).runSuccessfully();
        }
    }

    /** Incompressible content, so that the layer is as large as the file. */
    private static void randomFile(Path file, int mebibytes, long seed) throws IOException {
        byte[] bytes = new byte[mebibytes << 20];
        new Random(seed).nextBytes(bytes);
        Files.write(file, bytes);
    }

    private Path context(String dockerfile) throws IOException {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return context;
    }

    // ---- RUN ------------------------------------------------------------------------------------

    private CliTest.Result runBuild(Path store, String dockerfile) throws Exception {
        BusyboxImage busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        return CliTest.run("--root", store.toString(), "build", "--progress=plain", "--build-context",
                "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", context(dockerfile).toString());
    }

    @Test
    void aCommandThatFillsTheDiskFailsNamingItAndTheStore() throws Exception {
        Path store = smallFileSystem("store", 16);
        CliTest.Result result = runBuild(store, "FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=64\n");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("Dockerfile:2: RUN failed: "), result.err());
        assertTrue(result.err().contains("no space left on device writing " + store), result.err());
        assertNamesTheStore(result.err(), store);
        assertTrue(result.err().contains("No space left on device"), "the command's own output: " + result.err());
    }

    @Test
    void aDiskFilledBeforeTheDiffIsWrittenFailsNamingItAndTheStore() throws Exception {
        // The command succeeds and leaves the disk full: writing its changes is what fails.
        Path store = smallFileSystem("store", 16);
        CliTest.Result result = runBuild(store, "FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=64; true\n");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("Dockerfile:2: RUN failed: no space left on device writing " + store), result.err());
        assertNamesTheStore(result.err(), store);
    }

    // ---- layers and pulls into the store --------------------------------------------------------

    /** COPY of a file larger than the store's free space: the layer blob is what fills the disk. */
    @Test
    void aLayerThatFillsTheStoreFailsNamingItsFileAndTheStore() throws Exception {
        Path store = smallFileSystem("store", 16);
        Path context = context("FROM scratch\nCOPY big /big\n");
        randomFile(context.resolve("big"), 24, 1);
        CliTest.Result full = CliTest.run("--root", store.toString(), "build", "--progress=plain", "-t", "diskfull/copy:1",
                context.toString());
        assertEquals(1, full.exitCode(), full.err());
        assertTrue(full.err().contains("Dockerfile:2: COPY failed: no space left on device writing " + store.resolve("tmp/blob-")),
                full.err());
        assertNamesTheStore(full.err(), store);
        assertNothingHalfWritten(store);

        grow(store, 64);
        CliTest.Result again = CliTest.run("--root", store.toString(), "build", "--progress=plain", "-t", "diskfull/copy:1",
                context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(CliTest.run("--root", store.toString(), "images").out().contains("diskfull/copy"));
        assertNothingHalfWritten(store);
    }

    /**
     * {@code jbuild pull} from a real registry into a store too small for the image: three layers that each
     * fit, downloaded at once, fill the disk part-way (and a layer larger than all the free space is refused
     * before its first byte, in the same words). No tag is made, no partial blob stays, and the pull succeeds
     * once there is space.
     */
    @Test
    void aPullIntoAFullStoreNamesTheBlobFileAndTheStore() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            Path context = context("FROM scratch\nCOPY a /a\nCOPY b /b\nCOPY c /c\nCOPY huge /huge\n");
            randomFile(context.resolve("a"), 7, 1);
            randomFile(context.resolve("b"), 7, 2);
            randomFile(context.resolve("c"), 7, 3);
            randomFile(context.resolve("huge"), 20, 4);
            String source = temp.resolve("source-store").toString();
            String layers = registry.reference("diskfull/layers", "1");
            String huge = registry.reference("diskfull/huge", "1");
            Files.writeString(context.resolve("Dockerfile.layers"), "FROM scratch\nCOPY a /a\nCOPY b /b\nCOPY c /c\n");
            Files.writeString(context.resolve("Dockerfile.huge"), "FROM scratch\nCOPY huge /huge\n");
            for (String[] image : new String[][] {{layers, "Dockerfile.layers"}, {huge, "Dockerfile.huge"}}) {
                CliTest.Result pushed = CliTest.run("--root", source, "build", "--progress=plain", "-f",
                        context.resolve(image[1]).toString(), "-t", image[0], "--push", context.toString());
                assertEquals(0, pushed.exitCode(), pushed.err());
            }

            Path store = smallFileSystem("store", 16);
            for (String image : List.of(layers, huge)) {
                CliTest.Result full = CliTest.run("--root", store.toString(), "pull", image);
                assertEquals(1, full.exitCode(), full.err());
                assertTrue(full.err().startsWith("error: pulling " + image + ": "), full.err());
                assertTrue(full.err().contains("no space left on device writing " + store.resolve("tmp/blob-")), full.err());
                assertNamesTheStore(full.err(), store);
                // The three layers are asked for at once, so each fits when its download starts: the disk fills
                // under them. The huge one is refused before it starts.
                assertEquals(image.equals(huge), full.err().contains("does not fit in the"), full.err());
                assertFalse(Files.readString(store.resolve("index.json")).contains("diskfull/"), "no tag for a partial image");
                assertNothingHalfWritten(store);
            }

            grow(store, 96);
            for (String image : List.of(layers, huge)) {
                CliTest.Result pulled = CliTest.run("--root", store.toString(), "pull", image);
                assertEquals(0, pulled.exitCode(), pulled.err());
            }
            assertNothingHalfWritten(store);
        }
    }

    // ---- the build record ----------------------------------------------------------------------

    /**
     * A build whose image fits but whose record does not (the disk filled up meanwhile) succeeds, with a
     * warning in the store's words: the image matters more than the note that it was made. Nothing of the
     * failed append stays, and the next build on a freed disk is recorded.
     */
    @Test
    void aBuildWhoseRecordDoesNotFitSucceedsWithAWarning() throws Exception {
        Path store = smallFileSystem("store", 4);
        Path context = context("FROM scratch\nCOPY a /a\n");
        Files.writeString(context.resolve("a"), "a\n");
        CliTest.Result first = CliTest.run("--root", store.toString(), "build", "-q", context.toString());
        assertEquals(0, first.exitCode(), first.err());
        // The record file goes, so the next append needs a new page of a full file system.
        Path records = store.resolve("builds.jsonl");
        Files.delete(records);
        Path filler = store.resolve("filler");
        fillUp(filler);

        CliTest.Result full = CliTest.run("--root", store.toString(), "build", "-q", context.toString());
        assertEquals(0, full.exitCode(), full.err());
        assertEquals(first.out(), full.out(), "the image ID, as without a full disk");
        assertTrue(full.err().startsWith("warning: the build was not recorded (jbuild history): no space left on device writing "
                + records + " (store: " + store + "); " + STORE_ADVICE), full.err());
        assertEquals(0, Files.size(records), "nothing of the failed append");

        Files.delete(filler);
        CliTest.Result again = CliTest.run("--root", store.toString(), "build", "-q", context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertEquals("", again.err());
        CliTest.Result history = CliTest.run("--root", store.toString(), "history", "--format", "json");
        assertEquals(1, history.out().lines().count(), history.out());
        assertEquals("", history.err());
    }

    /** Writes {@code file} until the file system has no page left. */
    private static void fillUp(Path file) throws IOException {
        byte[] block = new byte[64 << 10];
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            assertTrue(NoSpaceLeftException.of(e, file).isPresent(), e.toString());
        }
    }

    // ---- outputs --------------------------------------------------------------------------------

    /**
     * Outputs to a full destination (archives, a directory, {@code jbuild save}, a local cache export) name
     * the file being written and the destination, not the store, and leave no partial file there; the store
     * is untouched and the next export succeeds.
     */
    @Test
    void outputsToAFullDestinationNameTheFileAndTheDestination() throws Exception {
        Path store = temp.resolve("store");
        Path out = smallFileSystem("out", 8);
        Path context = context("FROM scratch\nCOPY big /big\n");
        randomFile(context.resolve("big"), 12, 1);
        CliTest.Result built = CliTest.run("--root", store.toString(), "build", "--progress=plain", "-t", "diskfull/export:1",
                context.toString());
        assertEquals(0, built.exitCode(), built.err());

        for (String type : List.of("oci", "docker")) {
            Path dest = out.resolve(type + ".tar");
            CliTest.Result full = CliTest.run("--root", store.toString(), "build", "--progress=plain", "-t", "diskfull/export:1",
                    "-o", "type=" + type + ",dest=" + dest, context.toString());
            assertEquals(1, full.exitCode(), full.err());
            assertTrue(full.err().contains("no space left on device writing " + out.resolve("." + type + ".tar")), full.err());
            assertNamesTheDestination(full.err(), dest);
        }
        Path saved = out.resolve("saved.tar");
        CliTest.Result save = CliTest.run("--root", store.toString(), "save", "-o", saved.toString(), "diskfull/export:1");
        assertEquals(1, save.exitCode(), save.err());
        assertTrue(save.err().startsWith("error: saving diskfull/export:1: no space left on device writing "
                + out.resolve(".saved.tar")), save.err());
        assertNamesTheDestination(save.err(), saved);

        Path directory = out.resolve("rootfs");
        CliTest.Result local = CliTest.run("--root", store.toString(), "build", "--progress=plain",
                "-o", "type=local,dest=" + directory, context.toString());
        assertEquals(1, local.exitCode(), local.err());
        assertTrue(local.err().contains("the directory is incomplete: no space left on device writing " + directory), local.err());
        assertNamesTheDestination(local.err(), directory);
        ExternalTool.command("rm", "-rf", directory.toString()).runSuccessfully();

        Path cache = out.resolve("cache");
        CliTest.Result cacheTo = CliTest.run("--root", store.toString(), "build", "--progress=plain",
                "--cache-to", "type=local,dest=" + cache, context.toString());
        assertEquals(1, cacheTo.exitCode(), cacheTo.err());
        assertTrue(cacheTo.err().contains("exporting the build cache to " + cache + ": no space left on device writing "
                + cache.resolve("blobs/sha256/.blob-")), cacheTo.err());
        assertNamesTheDestination(cacheTo.err(), cache);
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> left = files.filter(Files::isRegularFile).toList();
            assertEquals(List.of(cache.resolve("jbuild-cache.json")), left, "no partial file in the destination");
        }

        // The store lost nothing: the same image exports once there is space.
        grow(out, 64);
        CliTest.Result again = CliTest.run("--root", store.toString(), "build", "--progress=plain", "-t", "diskfull/export:1",
                "-o", "type=oci,dest=" + out.resolve("oci.tar"), "--cache-to", "type=local,dest=" + cache, context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(Files.size(out.resolve("oci.tar")) > 12 << 20);
        assertNothingHalfWritten(store);
    }

    // ---- checks ---------------------------------------------------------------------------------

    private static void assertNamesTheStore(String err, Path store) {
        assertTrue(err.contains(" (store: " + store + ")"), err);
        assertTrue(err.contains("; " + STORE_ADVICE), err);
        for (String garbled : List.of("null", "unreadable answer", "internal error")) {
            assertFalse(err.contains(garbled), err);
        }
    }

    private static void assertNamesTheDestination(String err, Path destination) {
        assertTrue(err.contains(" (destination: " + destination + ")"), err);
        assertTrue(err.contains("; " + DESTINATION_ADVICE), err);
        assertFalse(err.contains("(store: "), err);
    }

    /** No temporary file of a write is left, and every blob is complete: its content has its name's digest. */
    private static void assertNothingHalfWritten(Path store) throws IOException {
        try (Stream<Path> tmp = Files.list(store.resolve("tmp"))) {
            List<Path> files = tmp.filter(Files::isRegularFile).toList();
            assertEquals(List.of(), files, "no partial blob in tmp/");
        }
        try (Stream<Path> root = Files.list(store)) {
            assertEquals(List.of(), root.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
        try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                assertEquals(blob.getFileName().toString(), Digest.of(Files.readAllBytes(blob)).hex(), "blob " + blob);
            }
        }
    }
}

package dev.jbuild.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link ArchiveFile} puts an archive: a regular file is replaced by a rename, a symbolic link
 * is written through and stays, and a device or FIFO is written into instead of being replaced.
 */
class ArchiveFileTest {

    @TempDir
    Path temp;

    private static final int CHARACTER_DEVICE = 0020000;
    private static final int FIFO = 0010000;

    /** The file type bits of {@code st_mode}, the link itself when it is one. */
    private static int type(Path path) throws IOException {
        return (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
    }

    /** A small tar with a file big enough to need several writes. */
    private static void archive(OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        byte[] data = "layer\n".repeat(50_000).getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry("blobs/sha256/layer");
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
        tar.finish();
    }

    private static byte[] archiveBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        archive(bytes);
        return bytes.toByteArray();
    }

    private static List<String> names(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
            names.add(e.getName());
        }
        return names;
    }

    private List<String> leftovers(Path dir) throws IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".partial")).toList();
        }
    }

    @Test
    void aRegularFileIsReplacedWholeAndReadable() throws Exception {
        Path dest = Files.writeString(temp.resolve("image.tar"), "old");
        ArchiveFile.write(dest, ArchiveFileTest::archive);
        assertArrayEquals(archiveBytes(), Files.readAllBytes(dest));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest)));
        assertEquals(List.of(), leftovers(temp));
    }

    @Test
    void aSymlinkChainIsWrittenThroughAndStays() throws Exception {
        Path real = Files.createDirectories(temp.resolve("real"));
        Path target = Files.writeString(real.resolve("target.tar"), "old");
        Path links = Files.createDirectories(temp.resolve("links"));
        // A relative link to a relative link: each is read from its own directory.
        Path middle = Files.createSymbolicLink(links.resolve("middle.tar"), Path.of("../real/target.tar"));
        Path link = Files.createSymbolicLink(temp.resolve("link.tar"), Path.of("links/middle.tar"));

        ArchiveFile.write(link, ArchiveFileTest::archive);

        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertTrue(Files.isSymbolicLink(middle), "so does the link it points to");
        assertEquals(Path.of("links/middle.tar"), Files.readSymbolicLink(link));
        assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(archiveBytes(), Files.readAllBytes(target), "the target got the archive");
        assertEquals(List.of(), leftovers(temp));
        assertEquals(List.of(), leftovers(real), "the partial file was beside the target and renamed");
    }

    @Test
    void aDanglingSymlinkCreatesTheFileItNames() throws Exception {
        Path link = Files.createSymbolicLink(temp.resolve("link.tar"), temp.resolve("out/new.tar"));
        ArchiveFile.write(link, ArchiveFileTest::archive);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(archiveBytes(), Files.readAllBytes(temp.resolve("out/new.tar")));
    }

    @Test
    void aSymlinkLoopIsAnErrorNamingTheDestination() throws Exception {
        Path a = temp.resolve("a.tar");
        Files.createSymbolicLink(a, Path.of("b.tar"));
        Files.createSymbolicLink(temp.resolve("b.tar"), Path.of("a.tar"));
        IOException e = assertThrows(IOException.class, () -> ArchiveFile.write(a, ArchiveFileTest::archive));
        assertTrue(e.getMessage().startsWith("cannot write " + a + ": "), e.getMessage());
        assertTrue(Files.isSymbolicLink(a));
    }

    /**
     * /dev/null is reached only through a link of the test's own: were the link not followed, only the
     * link would be replaced (as root, naming /dev/null itself would replace the system's device).
     */
    @Test
    void aLinkToACharacterDeviceIsWrittenIntoTheDevice() throws Exception {
        Path devNull = Path.of("/dev/null");
        assertEquals(CHARACTER_DEVICE, type(devNull), "precondition: /dev/null is a device");
        Path link = Files.createSymbolicLink(temp.resolve("null.tar"), devNull);
        try {
            ArchiveFile.write(link, ArchiveFileTest::archive);
            assertTrue(Files.isSymbolicLink(link), "the link stays");
            assertEquals(CHARACTER_DEVICE, type(devNull), "/dev/null is still a device");
            assertEquals(List.of(), leftovers(temp));
            assertEquals(List.of(), leftovers(Path.of("/dev")), "no partial file beside the device");
        } finally {
            Files.deleteIfExists(link); // now, so that @TempDir's clean-up need not warn about a link out of it
        }
    }

    /** A device named directly ({@code mknod nulldev c 1 3; -o nulldev}): made in the test's directory, as root. */
    @Test
    @Integration // mknod
    void aDeviceNodeIsWrittenIntoAndStaysADevice() throws Exception {
        Path device = temp.resolve("nulldev");
        // The integration suite runs as root (scripts/test.sh), which mknod of a character device needs.
        ExternalTool.command("mknod", device.toString(), "c", "1", "3").runSuccessfully();
        ArchiveFile.write(device, ArchiveFileTest::archive);
        assertEquals(CHARACTER_DEVICE, type(device), "still the device");
        assertEquals(List.of(), leftovers(temp));
    }

    @Test
    void aDirectoryIsStillRefused() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("out"));
        IOException e = assertThrows(IOException.class, () -> ArchiveFile.write(dir, ArchiveFileTest::archive));
        assertTrue(e.getMessage().startsWith("cannot write " + dir + ": "), e.getMessage());
        assertTrue(Files.isDirectory(dir));
        assertEquals(List.of(), leftovers(temp));
    }

    /** A reader on a named pipe gets the whole archive (as {@code -o fifo} with {@code cat fifo | ...}). */
    @Test
    @Integration // mkfifo
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFifoIsWrittenIntoAndItsReaderGetsTheWholeArchive() throws Exception {
        Path fifo = temp.resolve("fifo");
        ExternalTool.command("mkfifo", fifo.toString()).runSuccessfully();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ArchiveFile.write(fifo, ArchiveFileTest::archive);
        assertEquals(FIFO, type(fifo), "still a FIFO");
        byte[] received = read.get(30, TimeUnit.SECONDS);
        assertArrayEquals(archiveBytes(), received);
        assertEquals(List.of("blobs/sha256/layer"), names(new ByteArrayInputStream(received)));
        assertEquals(List.of(), leftovers(temp));
    }
}

package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hostile rpm database: the scan reports it and goes on (RpmCatalogerTest reads real ones). */
class RpmDatabaseTest {

    @TempDir
    Path root;

    /** One 512-byte page: the SQLite header and an interior table page whose child is page {@code child}. */
    private static byte[] database(int child) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.put("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII));
        b.putShort(16, (short) 512);
        b.put(100, (byte) 5); // interior table page
        b.putShort(103, (short) 0); // no cells
        b.putInt(108, child); // the right-most child
        return b.array();
    }

    @Test
    void aPageOutsideTheFileOrALoopIsAWarningNotAFailure() throws Exception {
        Files.createDirectories(root.resolve("var/lib/rpm"));
        for (int child : new int[] {999, 1}) {
            Files.write(root.resolve("var/lib/rpm/rpmdb.sqlite"), database(child));
            SbomContents contents = Sboms.scan(RootFiles.directory(root));
            assertEquals(List.of(), contents.packages());
            assertEquals(1, contents.warnings().size(), contents.warnings().toString());
            assertTrue(contents.warnings().get(0).startsWith("/var/lib/rpm/rpmdb.sqlite: corrupt SQLite database: page "),
                    contents.warnings().toString());
        }
        Files.writeString(root.resolve("var/lib/rpm/rpmdb.sqlite"), "not a database");
        assertEquals(List.of("/var/lib/rpm/rpmdb.sqlite: not an SQLite 3 database"),
                Sboms.scan(RootFiles.directory(root)).warnings());
    }
}

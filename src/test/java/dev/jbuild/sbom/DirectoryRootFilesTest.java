package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryRootFilesTest {

    @TempDir
    Path temp;

    @Test
    void linksAreReportedNeverFollowedAndNothingOutsideIsRead() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("status"), "Package: evil\nStatus: install ok installed\nVersion: 1\n");
        Path root = Files.createDirectories(temp.resolve("root"));
        Files.createDirectories(root.resolve("var/lib"));
        // a link out of the root, as an image could hold: /var/lib/dpkg -> the host's directory
        Files.createSymbolicLink(root.resolve("var/lib/dpkg"), outside);
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(root.resolve("usr/bin/tool"), PosixFilePermissions.fromString("rwxr-x---"));

        RootFiles files = RootFiles.directory(root);
        List<RootFiles.Entry> entries = new ArrayList<>();
        files.walk(entries::add);
        entries.sort((a, b) -> a.path().compareTo(b.path()));
        assertEquals(List.of(
                        new RootFiles.Entry("/usr", RootFiles.Kind.DIRECTORY, mode(root.resolve("usr")), 0, null),
                        new RootFiles.Entry("/usr/bin", RootFiles.Kind.DIRECTORY, mode(root.resolve("usr/bin")), 0, null),
                        new RootFiles.Entry("/usr/bin/tool", RootFiles.Kind.REGULAR, 0750, 10, null),
                        new RootFiles.Entry("/var", RootFiles.Kind.DIRECTORY, mode(root.resolve("var")), 0, null),
                        new RootFiles.Entry("/var/lib", RootFiles.Kind.DIRECTORY, mode(root.resolve("var/lib")), 0, null),
                        new RootFiles.Entry("/var/lib/dpkg", RootFiles.Kind.SYMLINK, 0777, 0, outside.toString())),
                entries);
        try (InputStream in = files.open("/usr/bin/tool")) {
            assertEquals("#!/bin/sh\n", new String(in.readAllBytes()));
        }
        assertThrows(IOException.class, () -> files.open("/var/lib/dpkg/status"));
        // the scan resolves the absolute link inside the root, where there is no status
        assertEquals(List.of(), Sboms.scan(files).packages());
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
    }
}

package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.packageurl.PackageURL;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's own installed Python distributions (Debian's python3 packages, test.sh installs python3
 * and python3-yaml), against what Python's {@code importlib.metadata} reads from the same directory.
 */
@Integration
class PythonCatalogerTest {

    private static final Path HOST = Path.of("/usr/lib/python3/dist-packages");

    @TempDir
    Path root;

    @Test
    void listsWhatImportlibMetadataFinds() throws Exception {
        Path site = Files.createDirectories(root.resolve("usr/lib/python3/dist-packages"));
        int copied = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(HOST, "*.{dist-info,egg-info}")) {
            for (Path entry : entries) {
                copyTree(entry, site.resolve(entry.getFileName().toString()));
                copied++;
            }
        }
        assertTrue(copied > 0, "Debian's python3 installs dist-info directories");
        String reference = ExternalTool.command("python3", "-c", """
                        import importlib.metadata, sys
                        for d in importlib.metadata.distributions(path=[sys.argv[1]]):
                            print(d.metadata['Name'] + ' ' + d.version)
                        """, site.toString())
                .runSuccessfully()
                .stdout();
        // A distribution installed twice (Debian has cryptography both as dist-info and egg-info) is one
        // package with both locations.
        List<String> expected = reference.lines().sorted().distinct().toList();
        List<SbomPackage> packages = Sboms.scan(RootFiles.directory(root)).packages();
        assertEquals(expected, packages.stream().map(p -> p.name() + " " + p.version()).sorted().toList());
        for (SbomPackage p : packages) {
            assertEquals("pypi", p.type());
            PackageURL purl = new PackageURL(p.purl());
            assertEquals(p.name().toLowerCase().replaceAll("[-_.]+", "-"), purl.getName(), p.purl());
            assertEquals(p.version(), purl.getVersion());
        }
        if (reference.lines().count() > expected.size()) {
            assertTrue(packages.stream().anyMatch(p -> p.locations().size() == 2), packages.toString());
        }
        // PyYAML declares "License: MIT" and the MIT classifier: one license, once.
        SbomPackage yaml = packages.stream().filter(p -> p.name().equals("PyYAML")).findFirst().orElseThrow();
        assertFalse(yaml.licenses().isEmpty(), yaml.toString());
        assertTrue(yaml.licenses().stream().anyMatch(l -> l.contains("MIT")), yaml.toString());
        assertEquals("pkg:pypi/pyyaml@" + yaml.version(), yaml.purl());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}

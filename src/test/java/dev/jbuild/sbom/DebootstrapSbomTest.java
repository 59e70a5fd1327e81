package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.DebootstrapRootfs;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A real Debian bookworm rootfs made by debootstrap: the SBOM lists what dpkg lists, with licenses. */
@Integration
class DebootstrapSbomTest {

    @Test
    void listsExactlyTheInstalledPackagesWithPurlsAndLicenses() throws Exception {
        Path root = DebootstrapRootfs.directory();
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        assertEquals("debian", contents.distro().id());
        assertEquals("12", contents.distro().versionId());
        DpkgReference.assertMatches(DpkgReference.installed(root.resolve("var/lib/dpkg")), contents, "debian-12");

        // dpkg's own copyright file is DEP-5: its License: fields are the package's declared licenses.
        SbomPackage dpkg = contents.packages().stream().filter(p -> p.name().equals("dpkg")).findFirst().orElseThrow();
        for (String line : Files.readAllLines(root.resolve("usr/share/doc/dpkg/copyright"))) {
            if (line.startsWith("License: ")) {
                assertTrue(dpkg.licenses().contains(line.substring(9).strip()), line + " in " + dpkg.licenses());
            }
        }
        assertTrue(dpkg.locations().contains("/usr/share/doc/dpkg/copyright"), dpkg.locations().toString());
        // libc6's source package differs in name: the purl says so, as syft writes it.
        SbomPackage libc = contents.packages().stream().filter(p -> p.name().equals("libc6")).findFirst().orElseThrow();
        assertTrue(libc.purl().contains("upstream=glibc"), libc.purl());
        assertTrue(libc.source().startsWith("glibc"), libc.source());
    }
}

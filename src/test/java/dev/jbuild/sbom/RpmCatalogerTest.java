package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.packageurl.PackageURL;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real rpm database: packages built with rpmbuild and registered with {@code rpm -i --justdb} in a
 * fresh {@code rpmdb.sqlite} (Debian's rpm, installed by test.sh, uses the SQLite backend as Fedora
 * does), compared with what {@code rpm -qa} reads from it. Their file lists make headers larger than
 * a page, so overflow pages and an interior B-tree page are read too.
 */
@Integration
class RpmCatalogerTest {

    @TempDir
    Path temp;

    @Test
    void listsWhatRpmQueryAllLists() throws Exception {
        Path top = temp.resolve("top");
        List<Path> rpms = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path spec = temp.resolve("p" + i + ".spec");
            Files.writeString(spec, String.join("\n",
                    "Name: sbom-test-" + i,
                    "Version: 1." + i + ".0",
                    "Release: " + (i + 1) + ".fc40",
                    i % 2 == 0 ? "Epoch: " + i : "",
                    "Summary: a package for the SBOM test",
                    "License: " + (i % 3 == 0 ? "MIT AND (Apache-2.0 OR BSD-3-Clause)" : "GPL-2.0-or-later"),
                    "Vendor: jbuild tests",
                    "BuildArch: noarch",
                    "%description",
                    "Package " + i + " of the SBOM test.",
                    "%install",
                    "mkdir -p %{buildroot}/usr/share/sbom-test-" + i,
                    "for n in $(seq 1 " + (40 * (i + 1)) + "); do echo $n > %{buildroot}/usr/share/sbom-test-" + i
                            + "/file-with-a-long-name-$n.txt; done",
                    "%files",
                    "/usr/share/sbom-test-" + i,
                    ""));
            ExternalTool.command("rpmbuild", "-bb", "--define", "_topdir " + top, spec.toString())
                    .timeout(Duration.ofMinutes(2))
                    .runSuccessfully();
        }
        try (Stream<Path> walk = Files.walk(top.resolve("RPMS"))) {
            walk.filter(p -> p.toString().endsWith(".rpm")).sorted().forEach(rpms::add);
        }
        assertEquals(8, rpms.size());
        Path root = temp.resolve("root");
        Path dbpath = Files.createDirectories(root.resolve("var/lib/rpm"));
        ExternalTool.command("rpm", "--dbpath", dbpath.toString(), "--initdb").runSuccessfully();
        List<String> install = new ArrayList<>(List.of("rpm", "-i", "--justdb", "--nodeps", "--dbpath", dbpath.toString()));
        rpms.forEach(p -> install.add(p.toString()));
        ExternalTool.command(install).runSuccessfully();
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=40\n");

        String reference = ExternalTool.command("rpm", "-qa", "--dbpath", dbpath.toString(), "--qf",
                        "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{LICENSE}\\t%{SOURCERPM}\\n")
                .runSuccessfully()
                .stdout();
        List<String> expected = reference.lines().sorted().toList();
        assertEquals(8, expected.size(), reference);
        assertTrue(Files.size(dbpath.resolve("rpmdb.sqlite")) > 8 * 4096, "headers span several pages");

        List<SbomPackage> packages = Sboms.scan(RootFiles.directory(root)).packages();
        assertEquals(expected, packages.stream()
                .map(p -> p.name() + "\t" + p.version() + "\t" + p.arch() + "\t" + String.join(" ", p.licenses()) + "\t"
                        + p.source())
                .sorted()
                .toList());
        for (SbomPackage p : packages) {
            PackageURL purl = new PackageURL(p.purl());
            assertEquals("rpm", purl.getType());
            assertEquals("fedora", purl.getNamespace());
            assertEquals(p.name(), purl.getName());
            assertEquals(p.version(), (purl.getQualifiers().containsKey("epoch") ? purl.getQualifiers().get("epoch") + ":" : "")
                    + purl.getVersion());
            assertEquals("fedora-40", purl.getQualifiers().get("distro"));
            assertEquals("noarch", purl.getQualifiers().get("arch"));
            assertEquals(List.of("/var/lib/rpm/rpmdb.sqlite"), p.locations());
        }
    }
}

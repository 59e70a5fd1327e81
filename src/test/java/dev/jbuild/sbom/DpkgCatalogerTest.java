package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dpkg cataloger on this machine's own database, against dpkg-query (hence an integration test). */
@Integration
class DpkgCatalogerTest {

    @TempDir
    Path root;

    /** A root with a copy of the host's status and os-release (linked as Debian links it). */
    private void hostDatabase() throws Exception {
        Files.createDirectories(root.resolve("var/lib/dpkg"));
        Files.copy(Path.of("/var/lib/dpkg/status"), root.resolve("var/lib/dpkg/status"));
        Files.createDirectories(root.resolve("usr/lib"));
        Files.createDirectories(root.resolve("etc"));
        Files.copy(Path.of("/usr/lib/os-release"), root.resolve("usr/lib/os-release"));
        Files.createSymbolicLink(root.resolve("etc/os-release"), Path.of("../usr/lib/os-release"));
    }

    @Test
    void listsExactlyWhatDpkgQueryListsForTheHostDatabase() throws Exception {
        hostDatabase();
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        var osRelease = OsRelease.parse(Files.readString(Path.of("/usr/lib/os-release")));
        assertNotNull(contents.distro(), "os-release found through its link");
        assertEquals(osRelease.get("ID"), contents.distro().id());
        DpkgReference.assertMatches(DpkgReference.installed(root.resolve("var/lib/dpkg")), contents,
                osRelease.get("ID") + "-" + osRelease.get("VERSION_ID"));
    }

    @Test
    void packagesNotInstalledAreLeftOutAsDpkgQueryShowsThem() throws Exception {
        hostDatabase();
        // Real stanzas of the host, the first marked as removed with its configuration left (dpkg's "rc").
        Path status = root.resolve("var/lib/dpkg/status");
        String text = Files.readString(status, StandardCharsets.UTF_8);
        int first = text.indexOf("Status: install ok installed");
        String removed = text.substring(0, first) + "Status: deinstall ok config-files"
                + text.substring(first + "Status: install ok installed".length());
        Files.writeString(status, removed, StandardCharsets.UTF_8);
        List<DpkgReference.Installed> installed = DpkgReference.installed(root.resolve("var/lib/dpkg"));
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        var osRelease = OsRelease.parse(Files.readString(Path.of("/usr/lib/os-release")));
        DpkgReference.assertMatches(installed, contents, osRelease.get("ID") + "-" + osRelease.get("VERSION_ID"));
    }

    @Test
    void distrolessStatusDirectoryHoldsOneFileOfStanzasPerPackage() throws Exception {
        hostDatabase();
        // Split the host's database into status.d files as distroless images have them (no dpkg status,
        // one file per package, each with its md5sums beside it); two stanzas go into one file.
        Path status = root.resolve("var/lib/dpkg/status");
        List<String> stanzas = new ArrayList<>();
        for (String stanza : Files.readString(status).split("\n\n")) {
            if (stanza.contains("Status: install ok installed")) {
                stanzas.add(stanza);
            }
        }
        List<DpkgReference.Installed> installed = DpkgReference.installed(root.resolve("var/lib/dpkg"));
        Files.delete(status);
        Path statusD = Files.createDirectories(root.resolve("var/lib/dpkg/status.d"));
        for (int i = 0; i < stanzas.size(); i++) {
            String name = "pkg" + i;
            String content = stanzas.get(i).replaceAll("(?m)^Status: .*\n", "") + "\n";
            if (i == 0 && stanzas.size() > 1) {
                content += "\n" + stanzas.get(++i) + "\n";
            }
            Files.writeString(statusD.resolve(name), content);
            Files.writeString(statusD.resolve(name + ".md5sums"), "d41d8cd98f00b204e9800998ecf8427e  usr/bin/x\n");
        }
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        var osRelease = OsRelease.parse(Files.readString(Path.of("/usr/lib/os-release")));
        DpkgReference.assertMatches(installed, contents, osRelease.get("ID") + "-" + osRelease.get("VERSION_ID"));
        assertTrue(contents.packages().stream().allMatch(p -> p.locations().get(0).startsWith("/var/lib/dpkg/status.d/")));
    }
}

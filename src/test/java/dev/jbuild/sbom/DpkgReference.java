package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.packageurl.PackageURL;
import dev.jbuild.testing.ExternalTool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * dpkg's own view of a database, the reference the dpkg tests compare against:
 * {@code dpkg-query --admindir=<root>/var/lib/dpkg -W}, the installed packages only (dpkg-query also
 * lists packages removed with their configuration left; the status says which).
 */
final class DpkgReference {

    record Installed(String name, String version, String arch) {}

    private DpkgReference() {}

    static List<Installed> installed(Path admindir) {
        String out = ExternalTool.command("dpkg-query", "--admindir=" + admindir, "-W",
                        "-f", "${Status}\\t${Package}\\t${Version}\\t${Architecture}\\n")
                .runSuccessfully()
                .stdout();
        List<Installed> installed = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length == 4 && f[0].endsWith(" ok installed")) {
                installed.add(new Installed(f[1], f[2], f[3]));
            }
        }
        return installed;
    }

    /** The scan's deb packages equal dpkg-query's list: names, versions, arch, and purls naming them and the distro. */
    static void assertMatches(List<Installed> expected, SbomContents contents, String distro) throws Exception {
        assertFalse(expected.isEmpty(), "dpkg-query listed no installed package");
        List<SbomPackage> debs = contents.packages().stream().filter(p -> p.type().equals("deb")).toList();
        TreeSet<String> want = new TreeSet<>();
        for (Installed i : expected) {
            want.add(i.name() + " " + i.version() + " " + i.arch());
        }
        TreeSet<String> got = new TreeSet<>();
        for (SbomPackage p : debs) {
            got.add(p.name() + " " + p.version() + " " + p.arch());
        }
        assertEquals(String.join("\n", want), String.join("\n", got));
        assertEquals(expected.size(), debs.size(), "one package per installed package");
        for (SbomPackage p : debs) {
            // Parsed back by the purl library: its fields are what dpkg says, whatever the encoding.
            PackageURL purl = new PackageURL(p.purl());
            assertEquals("deb", purl.getType());
            assertEquals(distro.substring(0, distro.indexOf('-')), purl.getNamespace(), p.purl());
            assertEquals(p.name(), purl.getName(), p.purl());
            assertEquals(p.version(), purl.getVersion(), p.purl());
            assertEquals(p.arch(), purl.getQualifiers().get("arch"), p.purl());
            assertEquals(distro, purl.getQualifiers().get("distro"), p.purl());
            assertTrue(p.purl().startsWith("pkg:deb/"), p.purl());
        }
    }
}

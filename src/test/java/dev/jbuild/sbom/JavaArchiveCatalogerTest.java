package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaArchiveCatalogerTest {

    @TempDir
    Path root;

    /** Entries of a jar to build: name → content; a {@code byte[]} value named *.jar is stored, not deflated (Spring Boot). */
    private static byte[] jar(Manifest manifest, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = manifest == null ? new ZipOutputStream(bytes) : new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (e.getKey().endsWith(".jar")) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] pom(String group, String artifact, String version) {
        return ("#Created by Apache Maven 3.9.9\ngroupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> entries(Object... nameAndContent) {
        Map<String, byte[]> map = new LinkedHashMap<>();
        for (int i = 0; i < nameAndContent.length; i += 2) {
            Object content = nameAndContent[i + 1];
            map.put((String) nameAndContent[i], content instanceof byte[] b ? b : ((String) content).getBytes(StandardCharsets.UTF_8));
        }
        return map;
    }

    private static Manifest manifest(String... keyValues) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i < keyValues.length; i += 2) {
            manifest.getMainAttributes().putValue(keyValues[i], keyValues[i + 1]);
        }
        return manifest;
    }

    private void write(String path, byte[] content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private List<SbomPackage> scan() throws IOException {
        return Sboms.scan(RootFiles.directory(root)).packages();
    }

    private static SbomPackage only(List<SbomPackage> packages, String purl) {
        List<SbomPackage> found = packages.stream().filter(p -> p.purl().equals(purl)).toList();
        assertEquals(1, found.size(), purl + " in " + packages);
        return found.get(0);
    }

    @Test
    void pomPropertiesNameThePackage() throws Exception {
        write("app/lib/simple.jar", jar(manifest("Bundle-License", "Apache-2.0", "Implementation-Vendor", "Example Org"),
                entries("META-INF/maven/com.example/simple/pom.xml", "<project/>",
                        "META-INF/maven/com.example/simple/pom.properties", pom("com.example", "simple", "1.0.0"),
                        "com/example/Simple.class", "not really")));
        SbomPackage p = only(scan(), "pkg:maven/com.example/simple@1.0.0");
        assertEquals("com.example:simple", p.name());
        assertEquals("1.0.0", p.version());
        assertEquals("maven", p.type());
        assertEquals(List.of("Apache-2.0"), p.licenses());
        assertEquals("Example Org", p.supplier());
        assertEquals(List.of("/app/lib/simple.jar"), p.locations());
    }

    @Test
    void aShadedJarIsEveryLibraryItBundles() throws Exception {
        write("app/shaded.jar", jar(manifest("Main-Class", "app.Main"),
                entries("META-INF/maven/org.example/app/pom.properties", pom("org.example", "app", "3.1"),
                        "META-INF/maven/com.google.guava/guava/pom.properties", pom("com.google.guava", "guava", "33.0.0-jre"),
                        "META-INF/maven/com.google.guava/guava/README", "not a pom.properties")));
        List<SbomPackage> packages = scan();
        assertEquals(2, packages.size(), packages.toString());
        only(packages, "pkg:maven/org.example/app@3.1");
        only(packages, "pkg:maven/com.google.guava/guava@33.0.0-jre");
    }

    @Test
    void withoutPomPropertiesTheManifestThenTheFileName() throws Exception {
        write("opt/a.jar", jar(manifest("Implementation-Title", "widgets", "Implementation-Version", "2.0.1",
                "Implementation-Vendor-Id", "org.widgets"), entries("x/Y.class", "y")));
        write("opt/b.jar", jar(manifest("Bundle-SymbolicName", "org.osgi.thing;singleton:=true", "Bundle-Version", "1.2.3.v2020",
                "Bundle-License", "EPL-2.0"), entries("x/Z.class", "z")));
        write("opt/commons-text-1.12.0.jar", jar(null, entries("org/apache/Text.class", "t")));
        write("opt/no-version.jar", jar(null, entries("org/apache/Text.class", "t")));
        List<SbomPackage> packages = scan();
        only(packages, "pkg:maven/org.widgets/widgets@2.0.1");
        assertEquals(List.of("EPL-2.0"), only(packages, "pkg:maven/org.osgi.thing/org.osgi.thing@1.2.3.v2020").licenses());
        only(packages, "pkg:maven/commons-text/commons-text@1.12.0");
        assertEquals(3, packages.size(), packages.toString());
    }

    @Test
    void springBootAndWarArchivesAreReadInsideWithABoundedDepth() throws Exception {
        byte[] innermost = jar(null, entries("META-INF/maven/deep/deepest/pom.properties", pom("deep", "deepest", "9")));
        byte[] third = jar(null, entries("META-INF/maven/deep/third/pom.properties", pom("deep", "third", "3"),
                "lib/deepest.jar", innermost));
        byte[] library = jar(null, entries("META-INF/maven/org.lib/lib/pom.properties", pom("org.lib", "lib", "1.4"),
                "lib/third.jar", third));
        byte[] other = jar(manifest("Implementation-Title", "other", "Implementation-Version", "5"), entries("o/O.class", "o"));
        write("app/app.jar", jar(manifest("Main-Class", "org.springframework.boot.loader.launch.JarLauncher"),
                entries("BOOT-INF/classes/app/Main.class", "m",
                        "META-INF/maven/com.acme/app/pom.properties", pom("com.acme", "app", "0.0.1-SNAPSHOT"),
                        "BOOT-INF/lib/lib-1.4.jar", library,
                        "BOOT-INF/lib/other.jar", other)));
        write("srv/site.war", jar(null, entries("WEB-INF/lib/lib-1.4.jar", library)));
        List<SbomPackage> packages = scan();
        only(packages, "pkg:maven/com.acme/app@0.0.1-SNAPSHOT");
        SbomPackage lib = only(packages, "pkg:maven/org.lib/lib@1.4");
        // the same library in two archives: one package, both places
        assertEquals(List.of("/app/app.jar!/BOOT-INF/lib/lib-1.4.jar", "/srv/site.war!/WEB-INF/lib/lib-1.4.jar"), lib.locations());
        only(packages, "pkg:maven/other/other@5");
        assertEquals(List.of("/app/app.jar!/BOOT-INF/lib/lib-1.4.jar!/lib/third.jar", "/srv/site.war!/WEB-INF/lib/lib-1.4.jar!/lib/third.jar"),
                only(packages, "pkg:maven/deep/third@3").locations());
        // three archives deep (image file, BOOT-INF/lib, lib/): the fourth level is not opened
        assertTrue(packages.stream().noneMatch(p -> p.name().equals("deep:deepest")), packages.toString());
        // the war itself has no metadata and no versioned name
        assertEquals(4, packages.size(), packages.toString());
    }

    @Test
    void aRealJarFromTheLocalRepositoryHasItsRealCoordinates() throws Exception {
        // jackson-databind as Maven downloaded it: its coordinates are in its path in the repository.
        Path jar = Path.of(ObjectMapper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path versionDir = jar.getParent();
        String version = versionDir.getFileName().toString();
        String artifact = versionDir.getParent().getFileName().toString();
        assertEquals(artifact + "-" + version + ".jar", jar.getFileName().toString(), "a jar of the local repository");
        write("usr/share/java/" + jar.getFileName(), Files.readAllBytes(jar));
        SbomPackage p = only(scan(), "pkg:maven/com.fasterxml.jackson.core/" + artifact + "@" + version);
        assertEquals("com.fasterxml.jackson.core:jackson-databind", p.name());
        assertEquals(version, p.version());
    }

    @Test
    void aCutJarIsReadUpToTheCutWithAWarning() throws Exception {
        // a real jar cut in the middle of its second entry, as an interrupted copy leaves it
        byte[] noise = new byte[100_000];
        new java.util.Random(1).nextBytes(noise);
        byte[] jar = jar(null, entries("META-INF/maven/org.cut/cut/pom.properties", pom("org.cut", "cut", "1"),
                "big.bin", noise));
        write("app/broken.jar", java.util.Arrays.copyOf(jar, jar.length / 2));
        write("app/text.jar", "plain text".getBytes(StandardCharsets.UTF_8));
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        // what was read before the cut counts
        assertEquals(List.of("pkg:maven/org.cut/cut@1"), contents.packages().stream().map(SbomPackage::purl).toList());
        assertEquals(1, contents.warnings().size(), contents.warnings().toString());
        assertTrue(contents.warnings().get(0).startsWith("/app/broken.jar: not read to the end"), contents.warnings().toString());
    }
}

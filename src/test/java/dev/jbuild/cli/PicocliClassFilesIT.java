package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar's picocli classes are the rewritten ones (pom.xml, {@code UpgradeClassFiles}): Java 5
 * class files cannot go into the launcher's CDS archive, which costs every command ~100 ms, and nothing
 * else would notice if a picocli upgrade or a change to the shade filters brought them back. Runs after
 * {@code package} (failsafe), on {@code target/jbuild.jar} itself.
 */
@Integration
class PicocliClassFilesIT {

    private static Path jar;
    private static Map<String, Integer> picocliVersions;

    @BeforeAll
    static void readJar() throws IOException {
        jar = Path.of(System.getProperty("jbuild.jar", "target/jbuild.jar"));
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": this test runs after mvn package");
        picocliVersions = new TreeMap<>();
        try (JarFile in = new JarFile(jar.toFile())) {
            for (JarEntry entry : in.stream().toList()) {
                if (entry.getName().startsWith("picocli/") && entry.getName().endsWith(".class")) {
                    try (InputStream classFile = in.getInputStream(entry)) {
                        byte[] header = classFile.readNBytes(8);
                        picocliVersions.put(entry.getName(), ((header[6] & 0xff) << 8) | (header[7] & 0xff));
                    }
                }
            }
        }
        assertTrue(picocliVersions.size() > 100, "picocli classes in " + jar + ": " + picocliVersions.size());
    }

    @Test
    void picocliClassesAreJava6OrLaterClassFiles() {
        // 50 is the oldest version CDS archives; UpgradeClassFiles writes 52.
        Map<String, Integer> old = new TreeMap<>();
        picocliVersions.forEach((name, version) -> {
            if (version < 50) {
                old.put(name, version);
            }
        });
        assertEquals(Map.of(), old, "picocli class files below version 50 in " + jar);
    }

    @Test
    void picocliClassesPassTheVerifier() throws Exception {
        // In a JVM of its own with -Xverify:all, whatever options this one runs with.
        String testClasses = Path.of(LinkAll.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String out = ExternalTool.command(java(), "-Xverify:all", "-cp", jar + File.pathSeparator + testClasses,
                LinkAll.class.getName(), jar.toString()).runSuccessfully().stdout();
        assertEquals("linked " + picocliVersions.size() + " classes from " + jar, out.strip());
    }

    /** Loads and initialises every picocli class of the jar: linking verifies, so a bad frame is a VerifyError. */
    static final class LinkAll {
        public static void main(String[] args) throws Exception {
            Path jar = Path.of(args[0]);
            int linked = 0;
            try (JarFile in = new JarFile(jar.toFile())) {
                for (JarEntry entry : in.stream().toList()) {
                    String name = entry.getName();
                    if (name.startsWith("picocli/") && name.endsWith(".class")) {
                        Class<?> type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), true,
                                ClassLoader.getSystemClassLoader());
                        Path from = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                        if (!from.equals(jar)) {
                            throw new IllegalStateException(type + " came from " + from);
                        }
                        linked++;
                    }
                }
            }
            System.out.println("linked " + linked + " classes from " + jar);
        }
    }

    @Test
    void picocliClassesComeFromTheClassDataArchive(@TempDir Path dir) {
        String java = java();
        String archive = dir.resolve("jbuild.jsa").toString();
        ExternalTool.command(java, "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-jar", jar.toString(), "--version").runSuccessfully();
        String log = ExternalTool.command(java, "-XX:SharedArchiveFile=" + archive, "-Xshare:on",
                "-Xlog:class+load=info", "-jar", jar.toString(), "--version").runSuccessfully().stdout();
        List<String> loaded = new ArrayList<>();
        List<String> notShared = new ArrayList<>();
        for (String line : log.split("\n")) {
            // [0.05s][info][class,load] picocli.CommandLine source: shared objects file (top)
            int at = line.indexOf(" picocli.");
            if (at >= 0) {
                String name = line.substring(at + 1, line.indexOf(' ', at + 1));
                loaded.add(name);
                if (!line.endsWith("source: shared objects file (top)")) {
                    notShared.add(name);
                }
            }
        }
        assertTrue(loaded.size() > 50, "picocli classes loaded by --version: " + loaded.size() + "\n" + log);
        assertEquals(List.of(), notShared, "picocli classes loaded from the jar, not from the archive");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

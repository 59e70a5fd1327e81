package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's classpath is where jbuild was loaded from. A host like Maven loads jbuild (as a plugin's dependency)
 * into a class loader of its own, in a JVM whose {@code java.class.path} is only the host's launcher: the agent
 * must get that loader's jars, or it cannot start.
 */
class SandboxOptionsTest {

    @Test
    void jbuildInAClassLoaderOfItsOwnGivesTheAgentThatLoadersJars(@TempDir Path temp) throws Exception {
        Path classes = Path.of(SandboxOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path other = Files.createDirectories(temp.resolve("other dir"));
        try (URLClassLoader realm = new URLClassLoader(new URL[] {classes.toUri().toURL(), other.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> loaded = realm.loadClass(SandboxOptions.class.getName());
            Object options = loaded.getMethod("defaults", Path.class).invoke(null, temp.resolve("work"));
            Object classpath = loaded.getMethod("agentClasspath").invoke(options);
            assertEquals(classes + java.io.File.pathSeparator + other, classpath);
        }
    }

    @Test
    void jbuildOnTheJvmsClassPathKeepsThatClassPath() {
        assertEquals("/a.jar:/b.jar", SandboxOptions.agentClasspath(ClassLoader.getSystemClassLoader(), "/a.jar:/b.jar"));
        assertEquals("/a.jar", SandboxOptions.agentClasspath(null, "/a.jar"));
    }

    @Test
    void theAgentsClassArchiveIsUsedWhenItIsThereAndWrittenInTraining(@TempDir Path dir) throws Exception {
        Path archive = Files.writeString(dir.resolve("a.jsa"), "x");
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off:stderr", "-Xlog:cds+dynamic=off:stderr"),
                SandboxOptions.agentArchiveOptions(archive.toString(), null));
        assertEquals(List.of(), SandboxOptions.agentArchiveOptions(dir.resolve("missing.jsa").toString(), null),
                "an archive that is not there is not named");
        assertEquals(List.of(), SandboxOptions.agentArchiveOptions(null, null));
        assertEquals("-XX:ArchiveClassesAtExit=/t/agent.jsa",
                SandboxOptions.agentArchiveOptions(archive.toString(), "/t/agent.jsa").get(0), "training wins");
    }

}

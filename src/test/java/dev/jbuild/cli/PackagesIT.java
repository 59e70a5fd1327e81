package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable packages (packaging/package.sh): the .deb unpacked with {@code dpkg -x} and the tarball
 * unpacked with {@code tar} each run a build with a RUN step on their own bundled runtime, and the start
 * time of the installed command is measured against {@code java -jar} (printed, not asserted: speed is
 * measured in bench/, never in timed tests). Runs after {@code package} (failsafe), on the shaded jar.
 */
@Integration
class PackagesIT {

    @TempDir
    Path temp;

    @Test
    void debAndTarballInstallAndBuildWithTheirOwnRuntime() throws Exception {
        Path jar = Path.of(System.getProperty("jbuild.jar", "target/jbuild.jar"));
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": this test runs after mvn package");
        Path dist = temp.resolve("dist");
        List<String> made = ExternalTool.command("bash", "packaging/package.sh", dist.toString())
                .env("JAVA_HOME", System.getProperty("java.home"))
                .timeout(Duration.ofMinutes(10))
                .runSuccessfully().stdout().lines().toList();
        assertEquals(2, made.size(), made.toString());
        Path deb = Path.of(made.get(0));
        Path tarball = Path.of(made.get(1));
        assertTrue(deb.getFileName().toString().matches("jbuild_[0-9][^_]*_[a-z0-9]+\\.deb"), deb.toString());
        assertEquals("jbuild", ExternalTool.command("dpkg-deb", "-f", deb.toString(), "Package").runSuccessfully().stdout().strip());
        assertTrue(ExternalTool.command("dpkg-deb", "-f", deb.toString(), "Depends").runSuccessfully().stdout().contains("uidmap"));
        String contents = ExternalTool.command("dpkg-deb", "-c", deb.toString()).runSuccessfully().stdout();
        assertTrue(contents.contains("./usr/bin/jbuild -> ../lib/jbuild/jbuild"), contents);
        assertTrue(contents.contains("./usr/lib/jbuild/runtime/bin/java"), "a bundled runtime");
        assertTrue(contents.contains("./usr/lib/jbuild/runtime/lib/server/classes.jsa"), "the runtime's CDS archive");

        Path root = Files.createDirectories(temp.resolve("deb-root"));
        ExternalTool.command("dpkg", "-x", deb.toString(), root.toString()).runSuccessfully();
        Path installed = root.resolve("usr/bin/jbuild");
        buildsWithRun(installed, "deb");

        Path unpacked = Files.createDirectories(temp.resolve("tar-root"));
        ExternalTool.command("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).runSuccessfully();
        Path tarCommand;
        try (Stream<Path> dirs = Files.list(unpacked)) {
            tarCommand = dirs.findFirst().orElseThrow().resolve("bin/jbuild");
        }
        buildsWithRun(tarCommand, "tar");
        // The first run's training made, for each installation, the JVM's class archive and the sandbox agent's.
        try (Stream<Path> cached = Files.list(temp.resolve("cache/jbuild"))) {
            List<String> names = cached.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.stream().filter(n -> n.endsWith("-agent.jsa")).count(), names.toString());
            assertEquals(4, names.stream().filter(n -> n.endsWith(".jsa")).count(), names.toString());
        }

        // Start-up of the installed command (its class-data archive made on the first run above) against the jar.
        double packaged = medianSeconds(List.of(installed.toString(), "--version"));
        double plainJar = medianSeconds(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--version"));
        System.out.printf("jbuild --version: installed .deb %.3f s, java -jar %.3f s (median of 5)%n", packaged, plainJar);
    }

    /** Runs {@code command} --version and a build whose RUN step runs in the sandbox, as an installed user would. */
    private void buildsWithRun(Path command, String name) throws Exception {
        ExternalTool.Result version = tool(List.of(command.toString(), "--version")).runSuccessfully();
        assertTrue(version.stdout().startsWith("jbuild "), version.stdout());
        BusyboxImage base = BusyboxImage.write(temp.resolve(name + "-base"), "1");
        Path context = Files.createDirectories(temp.resolve(name + "-context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM base\nRUN echo installed-" + name + " > /where\n");
        Path out = temp.resolve(name + "-out");
        tool(List.of(command.toString(), "--root", temp.resolve(name + "-store").toString(), "build", "--progress=plain",
                "--build-context", "base=oci-layout://" + base.layoutDirectory() + ":1", "-o", "type=local,dest=" + out,
                context.toString())).runSuccessfully();
        assertEquals("installed-" + name + "\n", Files.readString(out.resolve("where")));
    }

    private ExternalTool tool(List<String> command) {
        return ExternalTool.command(command).env("XDG_CACHE_HOME", temp.resolve("cache").toString()).timeout(Duration.ofMinutes(3));
    }

    private double medianSeconds(List<String> command) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            tool(command).runSuccessfully();
            times.add((System.nanoTime() - started) / 1e9);
        }
        Collections.sort(times);
        return times.get(2);
    }
}

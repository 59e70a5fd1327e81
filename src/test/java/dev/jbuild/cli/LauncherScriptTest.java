package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./jbuild} launcher script, run with a stand-in {@code java} (the {@code JAVA} variable)
 * that prints the locale it was started under and its arguments: which character set the JVM gets
 * (it fixes how arguments and host paths are decoded), and which jar it is given when the launcher
 * is reached through a symbolic link. The launcher skips programs it can do without; these are the
 * cases where skipping must not change the answer.
 */
@Integration
class LauncherScriptTest {

    @TempDir
    Path temp;

    private Path install;
    private Path fakeJava;

    @BeforeEach
    void installLauncher() throws Exception {
        install = Files.createDirectories(temp.resolve("install"));
        Files.copy(Path.of("jbuild"), install.resolve("jbuild"), StandardCopyOption.COPY_ATTRIBUTES);
        Path target = Files.createDirectories(install.resolve("target"));
        Files.writeString(target.resolve("jbuild.jar"), "not run");
        Files.writeString(target.resolve("jbuild.jsa"), "not read");
        // The archive is newer than the jar, so the launcher makes no training run.
        Files.setLastModifiedTime(target.resolve("jbuild.jar"), FileTime.from(Instant.now().minusSeconds(60)));
        fakeJava = temp.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\n"
                + "printf 'LC_ALL=%s\\nLC_CTYPE=%s\\n' \"${LC_ALL-unset}\" \"${LC_CTYPE-unset}\"\n"
                + "for a; do printf 'arg=%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> launch(Path launcher, String... env) throws Exception {
        ExternalTool command = ExternalTool.command(launcher.toString(), "--version")
                .env("JAVA", fakeJava.toString()).withoutEnv("LC_ALL").withoutEnv("LC_CTYPE").withoutEnv("LANG");
        for (int i = 0; i < env.length; i += 2) {
            command = command.env(env[i], env[i + 1]);
        }
        ExternalTool.Result result = command.run();
        assertEquals(0, result.exitCode(), result.describe());
        return result.stdout().lines().toList();
    }

    @Test
    void noLocaleStartsTheJvmWithUtf8() throws Exception {
        List<String> out = launch(install.resolve("jbuild"));
        assertTrue(out.contains("LC_CTYPE=C.UTF-8"), out.toString());
        assertTrue(out.contains("LC_ALL=unset"), out.toString());
    }

    @Test
    void anAsciiLcAllIsReplacedByUtf8() throws Exception {
        assertTrue(launch(install.resolve("jbuild"), "LC_ALL", "C").contains("LC_ALL=C.UTF-8"));
        assertTrue(launch(install.resolve("jbuild"), "LC_ALL", "POSIX").contains("LC_ALL=C.UTF-8"));
    }

    @Test
    void aUtf8LocaleIsKept() throws Exception {
        List<String> out = launch(install.resolve("jbuild"), "LANG", "C.UTF-8");
        assertTrue(out.contains("LC_CTYPE=unset"), out.toString());
        assertTrue(launch(install.resolve("jbuild"), "LC_ALL", "C.utf8").contains("LC_ALL=C.utf8"));
    }

    @Test
    void aUtf8NamedLocaleThatIsNotInstalledStillGetsUtf8() throws Exception {
        // A name that says UTF-8 is not enough: glibc falls back to ASCII when the locale is not
        // generated (common in containers that set LANG=en_US.UTF-8 without the locales package).
        List<String> out = launch(install.resolve("jbuild"), "LANG", "xx_NOWHERE.UTF-8");
        assertTrue(out.contains("LC_CTYPE=C.UTF-8"), out.toString());
    }

    @Test
    void throughASymbolicLinkTheJarBesideTheRealLauncherRuns() throws Exception {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("jbuild"), install.resolve("jbuild"));
        List<String> out = launch(link, "LANG", "C.UTF-8");
        assertTrue(out.contains("arg=" + install.toRealPath().resolve("target/jbuild.jar")), out.toString());
        assertTrue(out.contains("arg=-XX:SharedArchiveFile=" + install.toRealPath().resolve("target/jbuild.jsa")),
                out.toString());
        assertTrue(out.contains("arg=--version"), out.toString());
    }

    @Test
    void theSandboxAgentsArchiveIsPassedOnWhenTheTrainingMadeOne() throws Exception {
        String property = "arg=-Djbuild.agentArchive=" + install.toRealPath().resolve("target/jbuild-agent.jsa");
        assertTrue(launch(install.resolve("jbuild"), "LANG", "C.UTF-8").stream().noneMatch(a -> a.startsWith(
                "arg=-Djbuild.agentArchive")), "no archive, no property");
        Files.writeString(install.resolve("target/jbuild-agent.jsa"), "not read");
        List<String> out = launch(install.resolve("jbuild"), "LANG", "C.UTF-8");
        assertTrue(out.indexOf(property) >= 0 && out.indexOf(property) < out.indexOf("arg=-jar"), out.toString());
    }

    @Test
    void startedByARelativePathFromItsOwnDirectory() throws Exception {
        ExternalTool.Result result = ExternalTool.command("sh", "-c", "./jbuild --version").directory(install)
                .env("JAVA", fakeJava.toString()).env("LANG", "C.UTF-8").withoutEnv("LC_ALL").withoutEnv("LC_CTYPE")
                .run();
        assertEquals(0, result.exitCode(), result.describe());
        Path jar = install.toRealPath().resolve("target/jbuild.jar");
        assertTrue(result.stdout().lines().anyMatch(l -> l.equals("arg=" + jar)), result.stdout());
    }
}

package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.ReadableClasspath;
import dev.jbuild.testing.RootlessTestUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Context file names through a whole jbuild process, under the locale a user may have: file names are
 * bytes and must reach the image byte for byte (the JVM maps them through the locale's character set,
 * fixed at start-up), and special files in the context must not hang the build.
 */
@Integration
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ContextNamesProcessTest {

    @TempDir
    Path temp;

    /** Shell words for the context's odd files; printf writes the bytes, so Java's mapping plays no part. */
    private static final String MAKE_FILES = "printf bad > \"$(printf 'bad\\377\\376utf8')\";"
            + " printf cafe > \"$(printf 'caf\\303\\251.txt')\"; mkdir \"$(printf '\\344\\270\\255')\";"
            + " printf zh > \"$(printf '\\344\\270\\255/\\346\\226\\207')\"; mkfifo pipe;"
            + " printf 'FROM scratch\\nCOPY . /app/\\n' > Dockerfile";

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8", "POSIX"})
    void namesArriveByteForByteWhateverTheLocale(String locale) throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        ExternalTool.command("sh", "-c", MAKE_FILES).directory(context).runSuccessfully();
        Path out = temp.resolve("rootfs.tar");

        ExternalTool.Result build = ExternalTool.command(java(), "-cp", classpath(), "dev.jbuild.cli.Main",
                        "--root", temp.resolve("store").toString(), "build", "--progress=plain",
                        "-o", "type=tar,dest=" + out, context.toString())
                .env("LC_ALL", locale).withoutEnv("LANG").withoutEnv("LC_CTYPE")
                .timeout(Duration.ofSeconds(120)).run();
        assertEquals(0, build.exitCode(), build.describe());

        // GNU tar unpacks what jbuild wrote; the shell checks each name by its bytes.
        Path rootfs = Files.createDirectories(temp.resolve("rootfs"));
        ExternalTool.command("tar", "-xf", out.toString(), "-C", rootfs.toString()).runSuccessfully();
        ExternalTool.Result check = ExternalTool.command("sh", "-c",
                "cd app && test \"$(cat \"$(printf 'bad\\377\\376utf8')\")\" = bad"
                        + " && test \"$(cat \"$(printf 'caf\\303\\251.txt')\")\" = cafe"
                        + " && test \"$(cat \"$(printf '\\344\\270\\255/\\346\\226\\207')\")\" = zh"
                        + " && test -p pipe && ls -A | wc -l")
                .directory(rootfs).run();
        assertEquals(0, check.exitCode(), check.describe() + "\n" + listing(rootfs));
        assertEquals("5", check.stdout().strip(), listing(rootfs)); // the Dockerfile too; nothing left out
    }

    /** A non-ASCII path on the command line cannot reach a JVM started under LC_ALL=C: say what to do. */
    @Test
    void aPathTheLocaleCannotHoldIsAClearError() throws Exception {
        Path context = Files.createDirectories(temp.resolve("contexté"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");

        ExternalTool.Result build = ExternalTool.command(java(), "-cp", classpath(), "dev.jbuild.cli.Main",
                        "--root", temp.resolve("store").toString(), "build", context.toString())
                .env("LC_ALL", "C").withoutEnv("LANG").withoutEnv("LC_CTYPE").timeout(Duration.ofSeconds(60)).run();
        assertEquals(1, build.exitCode(), build.describe());
        assertTrue(build.stderr().contains("run jbuild with a UTF-8 locale (e.g. LC_ALL=C.UTF-8)"), build.stderr());
        assertFalse(build.stderr().contains("internal error"), build.stderr());
    }

    /**
     * Rootless, as the unprivileged test user under LC_ALL=C, with a RUN that reads the copied files: the
     * FIFO does not hang the build and the names survive unpacking into the RUN's root filesystem.
     */
    @Test
    void aRootlessBuildUnderTheCLocaleCopiesAndRunsOnTheNames() throws Exception {
        RootlessTestUser user = RootlessTestUser.require();
        Path work = user.createWorkDirectory("jbuild-context-names-");
        try {
            String classpath = ReadableClasspath.copyTo(work.resolve("classpath"));
            BusyboxImage busybox = BusyboxImage.write(work.resolve("busybox"), "1.0");
            Path context = Files.createDirectories(work.resolve("context"));
            ExternalTool.command("sh", "-c", MAKE_FILES + "; printf '%s\\n' 'FROM busybox' 'COPY . /app/'"
                    + " 'RUN cat \"/app/$(printf \"bad\\\\377\\\\376utf8\")\" /app/*.txt > /out' > Dockerfile")
                    .directory(context).runSuccessfully();
            if (!user.name().equals(System.getProperty("user.name"))) {
                ExternalTool.command("chown", "-R", user.name() + ":", work.toString()).runSuccessfully();
            }
            Path out = work.resolve("rootfs.tar");
            ExternalTool.Result build = user.command(java(), "-cp", classpath, "dev.jbuild.cli.Main",
                            "--root", work.resolve("store").toString(), "build", "--progress=plain",
                            "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                            "-o", "type=tar,dest=" + out, context.toString())
                    .env("LC_ALL", "C").withoutEnv("LANG").timeout(Duration.ofSeconds(150)).run();
            assertEquals(0, build.exitCode(), build.describe());

            Path rootfs = Files.createDirectories(work.resolve("rootfs"));
            ExternalTool.command("tar", "-xf", out.toString(), "-C", rootfs.toString()).runSuccessfully();
            assertEquals("badcafe", Files.readString(rootfs.resolve("out")));
            ExternalTool.command("sh", "-c", "test -f \"app/$(printf 'bad\\377\\376utf8')\" && test -p app/pipe")
                    .directory(rootfs).runSuccessfully();
        } finally {
            user.deleteWorkDirectory(work);
        }
    }

    private static String listing(Path rootfs) {
        return ExternalTool.command("ls", "-lAbR", rootfs.toString()).run().stdout();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}

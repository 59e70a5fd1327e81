package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.ReadableClasspath;
import dev.jbuild.testing.RootlessTestUser;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * After rootless RUN steps the store holds files of the user's subordinate ids (unpacked layers,
 * a RUN's chowned files, a cache mount), which the user cannot {@code rm -rf}; {@code jbuild
 * system reset} removes all of it, so the user is left with nothing it cannot delete.
 */
@Integration
class RootlessResetTest {

    RootlessTestUser user;
    Path work;

    @AfterEach
    void cleanUp() {
        if (work != null) {
            user.deleteWorkDirectory(work);
        }
    }

    @Test
    void systemResetRemovesTheStoreIncludingFilesOfSubordinateIds() throws Exception {
        user = RootlessTestUser.require();
        work = user.createWorkDirectory("jbuild-rootless-reset-");
        String classpath = ReadableClasspath.copyTo(work.resolve("classpath"));
        BusyboxImage busybox = BusyboxImage.write(work.resolve("busybox"), "1.0");
        Path context = Files.createDirectories(work.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), """
                FROM busybox
                RUN mkdir -p /d/sub && echo x > /d/sub/f && chmod 0600 /d/sub/f && chmod 0700 /d/sub \\
                    && chown -R 1000:1000 /d
                RUN --mount=type=cache,target=/cache,uid=1000,gid=1000 echo c > /cache/c && chmod 0600 /cache/c
                """);
        if (!user.name().equals(System.getProperty("user.name"))) {
            ExternalTool.command("chown", "-R", user.name() + ":", work.resolve("busybox").toString(),
                    context.toString()).runSuccessfully();
        }
        Path store = work.resolve("store");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ExternalTool.Result built = user.command(java, "-XX:-UsePerfData", "-cp", classpath, "dev.jbuild.cli.Main",
                "--root", store.toString(), "build", "--progress=plain",
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "-t", "subids:1",
                context.toString()).timeout(Duration.ofMinutes(3)).run();
        if (!built.succeeded()) {
            fail("the build as " + user.name() + " failed: " + built.describe());
        }
        int uid = (Integer) Files.getAttribute(work, "unix:uid");
        assertTrue(ownedByOthers(store, uid) > 0, "the build left files of subordinate ids in the store");

        ExternalTool.Result reset = user.command(java, "-XX:-UsePerfData", "-cp", classpath, "dev.jbuild.cli.Main",
                "--root", store.toString(), "system", "reset", "--force").timeout(Duration.ofMinutes(2)).run();
        if (!reset.succeeded()) {
            fail("reset as " + user.name() + " failed: " + reset.describe());
        }
        assertFalse(Files.exists(store, LinkOption.NOFOLLOW_LINKS), "the store is gone: " + reset.describe());
        // Nothing is left that the user could not remove itself.
        user.command("rm", "-rf", work.resolve("context").toString(), work.resolve("busybox").toString())
                .runSuccessfully();
    }

    /** Files and directories under {@code dir} not owned by {@code uid}. */
    private static long ownedByOthers(Path dir, int uid) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = walk.toList();
            long others = 0;
            for (Path p : all) {
                if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid) {
                    others++;
                }
            }
            return others;
        }
    }
}

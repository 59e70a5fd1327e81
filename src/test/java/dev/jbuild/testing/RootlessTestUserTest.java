package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the rootless RUN suite relies on: the test user, its id ranges, and access to the checkout. */
@Integration
class RootlessTestUserTest {

    private static RootlessTestUser user;
    private static Path work;

    @BeforeAll
    static void createWorkDirectory() {
        user = RootlessTestUser.require();
        work = user.createWorkDirectory("jbuild-rootless-");
    }

    @AfterAll
    static void deleteWorkDirectory() {
        user.deleteWorkDirectory(work);
    }

    @Test
    void commandsRunAsTheUnprivilegedUser() {
        String uid = user.command("id", "-u").runSuccessfully().stdout().strip();

        assertNotEquals("0", uid);
        assertEquals(user.home().toString(), user.command("sh", "-c", "echo $HOME").runSuccessfully().stdout().strip());
    }

    @Test
    void aUserNamespaceMapsRootToTheUserAndItsSubordinateRange() {
        // Two lines: container root -> the user, 1.. -> the /etc/subuid range (newuidmap from uidmap).
        String map = user.command("unshare", "--user", "--map-auto", "--map-root-user", "cat", "/proc/self/uid_map")
                .runSuccessfully().stdout();

        assertEquals(2, map.strip().lines().count(), map);
        assertTrue(map.strip().lines().allMatch(line -> line.strip().split("\\s+").length == 3), map);
    }

    @Test
    void theUserReadsTheCheckoutAndWritesItsWorkDirectory() {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        user.command("test", "-r", pom.toString()).runSuccessfully();
        user.command("test", "-w", pom.toString()).run().assertFailure();

        user.command("touch", work.resolve("written").toString()).runSuccessfully();
        assertTrue(Files.exists(work.resolve("written")));
    }

    @Test
    void theUserUnpacksTheBusyboxImageWithUmoci() {
        BusyboxImage image = BusyboxImage.write(work.resolve("layout"), "1");
        if (Podman.isRoot()) {
            // Written by root: hand it over, as a suite would with a base image it prepared.
            ExternalTool.command("chown", "-R", user.name() + ":", work.resolve("layout").toString()).runSuccessfully();
        }

        Path bundle = work.resolve("bundle");
        user.command("umoci", "unpack", "--rootless", "--image", image.umociReference(), bundle.toString())
                .runSuccessfully();
        assertEquals("ok\n", user.command(bundle.resolve("rootfs/bin/busybox").toString(), "echo", "ok")
                .runSuccessfully().stdout());
    }
}

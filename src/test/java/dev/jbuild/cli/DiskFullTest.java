package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN on a store whose file system fills up: a 16 MiB tmpfs mounted as the store (as root, as the suite
 * runs in CI). Whether the command itself runs out of space or only the diff and layer written after it
 * do, the build names the full disk, the path and the store, never a garbled answer of the agent.
 */
class DiskFullTest {

    @TempDir
    Path temp;

    Path store;
    BusyboxImage busybox;
    Path context;

    @BeforeEach
    void mountASmallStore() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        store = Files.createDirectories(temp.resolve("store"));
        ExternalTool.command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", store.toString()).runSuccessfully();
    }

    /** Lazily: a failed build may still hold a file of the store open in this JVM. */
    @AfterEach
    void unmount() {
        ExternalTool.command("umount", "--lazy", store.toString()).runSuccessfully();
    }

    private CliTest.Result build(String dockerfile) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return CliTest.run("--root", store.toString(), "build", "--progress=plain", "--build-context",
                "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", context.toString());
    }

    @Test
    void aCommandThatFillsTheDiskFailsNamingItAndTheStore() throws Exception {
        CliTest.Result result = build("FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=64\n");
        assertEquals(1, result.exitCode(), result.err());
        assertNamesTheFullDisk(result);
        assertTrue(result.err().contains("No space left on device"), "the command's own output: " + result.err());
    }

    @Test
    void aDiskFilledBeforeTheDiffIsWrittenFailsNamingItAndTheStore() throws Exception {
        // The command succeeds and leaves the disk full: writing its changes is what fails.
        CliTest.Result result = build("FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=64; true\n");
        assertEquals(1, result.exitCode(), result.err());
        assertNamesTheFullDisk(result);
    }

    private void assertNamesTheFullDisk(CliTest.Result result) {
        String err = result.err();
        assertTrue(err.contains("Dockerfile:2: RUN failed: no space left on device writing " + store), err);
        assertTrue(err.contains("(store: " + store + ")"), err);
        for (String garbled : List.of("null", "unreadable answer")) {
            assertFalse(err.contains(garbled), err);
        }
    }
}

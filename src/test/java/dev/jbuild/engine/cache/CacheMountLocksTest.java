package dev.jbuild.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.dockerfile.RunMount.Sharing;
import dev.jbuild.image.Digest;
import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sharing=shared|locked|private against a lock another process holds (a child JVM). */
@Integration
class CacheMountLocksTest {

    @TempDir
    Path root;

    /** Holds an exclusive lock on the cache id's lock file in another process until told to stop. */
    private Process holdLockElsewhere(String id) throws Exception {
        Path lockFile = root.resolve("locks").resolve(Digest.of(id.getBytes(StandardCharsets.UTF_8)).hex() + ".lock");
        Files.createDirectories(lockFile.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path holder = root.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                             var l = c.lock()) {
                            System.out.println("locked");
                            System.in.read();
                        }
                    }
                }
                """);
        Process process = new ProcessBuilder(java, holder.toString(), lockFile.toString()).start();
        assertEquals("locked", new String(process.getInputStream().readNBytes(6), StandardCharsets.UTF_8));
        return process;
    }

    @Test
    void privateGetsAFreshCacheWhileAnotherBuildHoldsIt() throws Exception {
        Process other = holdLockElsewhere("npm");
        try (CacheMountLocks locks = new CacheMountLocks()) {
            String id = locks.acquire(root, "npm", Sharing.PRIVATE);
            assertNotEquals("npm", id);
            assertTrue(id.startsWith("npm#private-"));
        } finally {
            other.getOutputStream().close();
            other.waitFor(10, TimeUnit.SECONDS);
        }
        try (CacheMountLocks locks = new CacheMountLocks()) {
            assertEquals("npm", locks.acquire(root, "npm", Sharing.PRIVATE), "free again: the shared directory");
        }
    }

    @Test
    void lockedWaitsForTheOtherUser() throws Exception {
        Process other = holdLockElsewhere("apt");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try (CacheMountLocks locks = new CacheMountLocks()) {
                return locks.acquire(root, "apt", Sharing.LOCKED);
            }
        });
        Thread.sleep(500);
        assertTrue(!waiting.isDone(), "locked waits while another build uses the cache");
        other.getOutputStream().close();
        assertEquals("apt", waiting.get(10, TimeUnit.SECONDS));
        other.waitFor(10, TimeUnit.SECONDS);
    }
}

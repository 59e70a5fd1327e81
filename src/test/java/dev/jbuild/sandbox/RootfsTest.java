package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files of a stack on disk, as a RUN's user lookup reads /etc/passwd there. */
class RootfsTest {

    @Test
    void theTopMostRegularFileIsRead(@TempDir Path dir) throws Exception {
        Path top = Files.createDirectories(dir.resolve("top/etc"));
        Path bottom = Files.createDirectories(dir.resolve("bottom/etc"));
        Files.writeString(top.resolve("passwd"), "top\n");
        Files.writeString(bottom.resolve("passwd"), "bottom\n");
        Files.writeString(bottom.resolve("group"), "group\n");
        Files.write(bottom.resolve("big"), new byte[(int) Rootfs.SMALL_FILE + 1]);
        Files.createSymbolicLink(top.resolve("link"), Path.of("passwd"));
        Rootfs stack = new Rootfs(List.of(dir.resolve("top"), dir.resolve("bottom")));

        assertArrayEquals("top\n".getBytes(StandardCharsets.UTF_8), stack.readSmallFile("etc/passwd").orElseThrow());
        assertArrayEquals("group\n".getBytes(StandardCharsets.UTF_8), stack.readSmallFile("etc/group").orElseThrow());
        assertEquals(Optional.empty(), stack.readSmallFile("etc/shadow"));
        assertEquals(Optional.empty(), stack.readSmallFile("etc/big"), "over 1 MiB");
        assertEquals(Optional.empty(), stack.readSmallFile("etc/link"), "a link is the caller's to resolve");
        assertEquals(Optional.empty(), stack.readSmallFile("etc"), "a directory");
    }
}

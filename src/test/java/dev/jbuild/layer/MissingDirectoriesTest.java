package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parents a layer lacks get the attributes the caller knows for them, not 0755; the layer's own entries win. */
class MissingDirectoriesTest {

    @TempDir
    Path root;

    @Test
    void missingParentsTakeTheGivenAttributesAndEntriesOfTheLayerWin() throws Exception {
        byte[] tar = new TarBuilder().file("tmp/tars/a", "a").dir("var/", 0700).file("var/log/x", "x")
                .file("usr/bin/tool", "t").tar();
        Instant mtime = Instant.parse("2020-02-02T00:00:00Z");
        List<String> asked = new ArrayList<>();
        LayerExtractor.MissingDirectories below = path -> {
            asked.add(path);
            return switch (path) {
                case "tmp" -> Optional.of(new EntryAttributes(01777, 0, 0, mtime, Map.of("user.k", new byte[] {1})));
                case "var/log" -> Optional.of(new EntryAttributes(02775, 0, 0, mtime, Map.of()));
                default -> Optional.empty(); // not below either: the default
            };
        };
        new LayerExtractor().extract(new ByteArrayInputStream(tar), root,
                LayerExtractor.Options.defaults().withMissingDirectories(below));
        assertEquals(List.of("tmp", "tmp/tars", "var/log", "usr", "usr/bin"), asked, "only directories the layer lacks");
        assertEquals(01777, mode("tmp"));
        assertEquals(mtime, Files.getLastModifiedTime(root.resolve("tmp"), LinkOption.NOFOLLOW_LINKS).toInstant());
        assertEquals(Map.of("user.k", 1), Map.of("user.k", (int) DirectoryWalker.userXattrs(root.resolve("tmp"))
                .get("user.k")[0]));
        assertEquals(0755, mode("tmp/tars"));
        assertEquals(0700, mode("var"), "the layer's own entry");
        assertEquals(02775, mode("var/log"));
        assertEquals(0755, mode("usr"));
    }

    private int mode(String path) throws Exception {
        return (Integer) Files.getAttribute(root.resolve(path), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }
}

package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.context.CopySelection.CopyFlags;
import dev.jbuild.layer.LayerPaths;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A tree that is not a host directory, as the orchestrator builds over image layers: only lookup is
 * written (with {@link SourceTree#find}), resolve is the interface's default, and CopySelection works on it.
 */
class InMemoryTreeTest {

    /** Entries by literal path, and the contents of the files. */
    static final class MapTree implements SourceTree {
        final Map<String, SourceFile> entries = new TreeMap<>();
        final Map<String, String> contents = new TreeMap<>();

        MapTree dir(String path) {
            entries.put(path, entry(path, FileKind.DIRECTORY, null));
            return this;
        }

        MapTree file(String path, String content) {
            entries.put(path, entry(path, FileKind.FILE, null));
            contents.put(path, content);
            return this;
        }

        MapTree link(String path, String target) {
            entries.put(path, entry(path, FileKind.SYMLINK, target));
            return this;
        }

        private static SourceFile entry(String path, FileKind kind, String target) {
            return new SourceFile(path, kind, kind == FileKind.DIRECTORY ? 040755 : 0644, 0, 0, 0,
                    Instant.EPOCH, target, null, null);
        }

        @Override
        public Optional<SourceFile> lookup(String path) throws IOException {
            return SourceTree.find(path, false, p -> Optional.ofNullable(entries.get(p)));
        }

        @Override
        public List<SourceFile> list(String dirPath) throws IOException {
            SourceFile dir = resolve(dirPath).orElseThrow(() -> new NoSuchFileException(dirPath));
            List<SourceFile> out = new ArrayList<>();
            for (SourceFile f : entries.values()) {
                if (!f.path().equals("/") && TreePaths.parent(f.path()).equals(dir.path())) {
                    out.add(f);
                }
            }
            out.sort((a, b) -> LayerPaths.ORDER.compare(a.name(), b.name()));
            return out;
        }

        @Override
        public InputStream open(SourceFile file) {
            return new ByteArrayInputStream(contents.get(file.path()).getBytes(StandardCharsets.UTF_8));
        }
    }

    static MapTree rootfs() {
        return new MapTree()
                .dir("/")
                .dir("/usr").dir("/usr/lib").file("/usr/lib/libc.so", "libc")
                .dir("/etc").file("/etc/os-release", "debian")
                .link("/lib", "usr/lib")
                .link("/etc/alt", "/usr/lib/libc.so")
                .link("/escape", "../../../etc/os-release")
                .link("/loop", "loop");
    }

    @Test
    void defaultResolveFollowsInsideTheTree() throws Exception {
        MapTree tree = rootfs();
        assertEquals("/usr/lib/libc.so", tree.lookup("/lib/libc.so").orElseThrow().path());
        assertEquals(FileKind.SYMLINK, tree.lookup("/etc/alt").orElseThrow().kind());
        assertEquals("/usr/lib/libc.so", tree.resolve("/etc/alt").orElseThrow().path());
        assertEquals("/etc/os-release", tree.resolve("/escape").orElseThrow().path());
        assertEquals("/usr/lib", tree.resolve("lib").orElseThrow().path());
        assertTrue(tree.resolve("/lib/missing").isEmpty());
        FileSystemException e = assertThrows(FileSystemException.class, () -> tree.resolve("/loop"));
        assertTrue(e.getMessage().contains("too many levels of symbolic links"));
    }

    @Test
    void copySelectionWorksOnAnyTree() throws Exception {
        MapTree tree = rootfs();
        assertEquals(List.of("'' <- /usr/lib: . libc.so"),
                CopySelectionTest.describe(CopySelection.select(tree, List.of("/lib"), CopyFlags.NONE), false));
        assertEquals(List.of("alt <- /usr/lib/libc.so: ."),
                CopySelectionTest.describe(CopySelection.select(tree, List.of("/etc/alt"), CopyFlags.NONE), false));
        assertEquals(List.of("lib <- /lib: . {}", "loop <- /loop: . {}", "usr <- /usr: . lib lib/libc.so {}"),
                CopySelectionTest.describe(CopySelection.select(tree, List.of("/./[lu]*"), new CopyFlags(true, List.of())), true));
    }
}

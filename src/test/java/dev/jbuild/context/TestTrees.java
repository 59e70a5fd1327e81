package dev.jbuild.context;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds small host trees for tests, and snapshots directories to prove they were not touched. */
final class TestTrees {

    private TestTrees() {}

    static Path file(Path root, String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static Path dir(Path root, String relative) throws IOException {
        return Files.createDirectories(root.resolve(relative));
    }

    static Path link(Path root, String relative, String target) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.createSymbolicLink(p, Path.of(target));
    }

    static String read(SourceTree tree, SourceFile file) throws IOException {
        try (InputStream in = tree.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every entry below {@code dir} with what could change: kind, content or link, mtime, links. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                FileTime mtime = a.lastModifiedTime();
                String what;
                if (a.isSymbolicLink()) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (a.isRegularFile()) {
                    what = "file " + Files.readString(p) + " nlink=" + Files.getAttribute(p, "unix:nlink");
                } else {
                    what = "dir";
                }
                out.put(dir.relativize(p).toString(), what + " mtime=" + mtime);
            }
        }
        return out;
    }
}

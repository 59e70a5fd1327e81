package dev.jbuild.sbom;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/** {@link RootFiles} over a host directory; symbolic links are listed, not followed. */
final class DirectoryRootFiles implements RootFiles {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private final Path root;

    DirectoryRootFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void walk(Visitor visitor) throws IOException {
        // walkFileTree does not follow links unless asked (FileVisitOption.FOLLOW_LINKS).
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    visitor.visit(entry(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                visitor.visit(entry(file));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed meanwhile
                }
                throw e;
            }
        });
    }

    private Entry entry(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:mode,size,isDirectory,isSymbolicLink,isRegularFile",
                NOFOLLOW);
        String name = LayerPaths.absolute(RawNames.pathText(root.relativize(path)));
        int mode = (Integer) a.get("mode") & 07777;
        if ((Boolean) a.get("isSymbolicLink")) {
            return new Entry(name, Kind.SYMLINK, mode, 0, RawNames.pathText(Files.readSymbolicLink(path)));
        }
        if ((Boolean) a.get("isDirectory")) {
            return new Entry(name, Kind.DIRECTORY, mode, 0, null);
        }
        if ((Boolean) a.get("isRegularFile")) {
            return new Entry(name, Kind.REGULAR, mode, (Long) a.get("size"), null);
        }
        return new Entry(name, Kind.OTHER, mode, 0, null);
    }

    @Override
    public InputStream open(String path) throws IOException {
        String relative = LayerPaths.relative(path);
        Path current = root;
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length; i++) {
            current = RawNames.child(current, parts[i]);
            BasicFileAttributes a = Files.readAttributes(current, BasicFileAttributes.class, NOFOLLOW);
            boolean last = i == parts.length - 1;
            if (last ? !a.isRegularFile() : !a.isDirectory()) {
                // A link (or anything else) on the way could lead out of the root.
                throw new IOException("not a regular file inside the root: " + RawNames.display(path));
            }
        }
        return Files.newInputStream(current, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }
}

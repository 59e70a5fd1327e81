package dev.jbuild.engine.step;

import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * The build context as {@code COPY} sees it (its {@code .dockerignore} applied), as a directory that a
 * {@code RUN --mount=type=bind} can show: BuildKit's bind mount of the context sees the context it was sent,
 * so an ignored {@code secret.env} or {@code node_modules} is not there. Regular files are hard links to the
 * context's (copies where the file system refuses a link); the mount is read-only, or an overlay whose writes
 * are discarded, so nothing reaches the context through them.
 */
final class ContextView {

    private ContextView() {}

    /**
     * Writes what {@code tree} holds at {@code source} (a directory's whole kept subtree) into {@code dest} at the
     * same path; nothing when the tree has nothing there (the mount then fails as it would on the context).
     */
    static void write(SourceTree tree, String source, Path dest) throws IOException {
        String start = treePath(source);
        Optional<SourceFile> top = tree.resolve(start);
        Path at = dest;
        for (Path element : Path.of(start).normalize()) {
            at = at.resolve(element.toString());
        }
        Files.createDirectories(at.getParent() == null ? dest : at.getParent());
        if (top.isPresent()) {
            write(tree, top.get(), at);
        }
    }

    /** A mount's {@code source} as a path of the tree: from its root, whether written with a leading slash or not. */
    private static String treePath(String source) {
        return "/" + source.replaceAll("^/+", "");
    }

    private static void write(SourceTree tree, SourceFile file, Path at) throws IOException {
        switch (file.kind()) {
            case DIRECTORY -> {
                Files.createDirectories(at);
                for (SourceFile child : tree.list(file.path())) {
                    write(tree, child, child(tree, child, at));
                }
                Files.setAttribute(at, "unix:mode", file.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
                Files.setLastModifiedTime(at, FileTime.from(file.mtime()));
            }
            case SYMLINK -> Files.createSymbolicLink(at, Path.of(file.linkTarget()));
            case FILE -> {
                Optional<Path> host = tree.hostPath(file);
                try {
                    Files.createLink(at, host.orElseThrow(() -> new FileSystemException(file.path())));
                } catch (FileSystemException | UnsupportedOperationException e) {
                    // Another file system, or a file the user may not link (fs.protected_hardlinks): a copy.
                    try (InputStream in = tree.open(file)) {
                        Files.copy(in, at, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setAttribute(at, "unix:mode", file.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
                    Files.setLastModifiedTime(at, FileTime.from(file.mtime()));
                }
            }
            default -> { } // devices, FIFOs and sockets are left out: a RUN reads files and directories from its context
        }
    }

    /** Where {@code file} goes in {@code dir}: under its host name (its bytes, whatever the locale), else its tree name. */
    private static Path child(SourceTree tree, SourceFile file, Path dir) {
        return tree.hostPath(file).map(p -> dir.resolve(p.getFileName()))
                .orElseGet(() -> dir.resolve(file.path().substring(file.path().lastIndexOf('/') + 1)));
    }
}

package dev.jbuild.context;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A read-only file tree that {@code COPY} and {@code ADD} read from: the build context, or the root
 * filesystem of another stage or image. Paths are slash-separated and cleaned first, relative ones
 * taken from the root ({@code a/../b} is {@code /b}, {@code ../x} is {@code /x}).
 *
 * <p>Symbolic links are resolved <em>inside</em> the tree, as filepath-securejoin and containerd's
 * {@code fs.RootPath} do: {@code ..} never climbs above {@code /}, an absolute target starts again
 * at the tree root, and nothing outside the tree is ever reached. Implementations must be safe to
 * use from several threads.
 */
public interface SourceTree {

    /**
     * The entry at {@code path}: symbolic links in the directories leading to it are followed
     * inside the tree, a symbolic link in the last element is returned as is. Empty when nothing
     * is there (also when a directory on the way is missing or is not a directory).
     *
     * @throws java.nio.file.FileSystemException "too many levels of symbolic links" for a loop
     */
    Optional<SourceFile> lookup(String path) throws IOException;

    /**
     * Like {@link #lookup}, but a symbolic link in the last element is followed too, again inside
     * the tree. Empty for a dangling link.
     */
    default Optional<SourceFile> resolve(String path) throws IOException {
        String current = TreePaths.absolute(path);
        for (int links = 0; ; links++) {
            Optional<SourceFile> entry = lookup(current);
            if (entry.isEmpty() || !entry.get().isSymlink()) {
                return entry;
            }
            if (links == SecureJoin.MAX_SYMLINKS) {
                throw SecureJoin.tooManyLinks(path);
            }
            String target = entry.get().linkTarget();
            current = TreePaths.absolute(target.startsWith("/")
                    ? target
                    : TreePaths.parent(entry.get().path()) + "/" + target);
        }
    }

    /**
     * The entries of the directory at {@code dirPath} (followed like {@link #resolve}), sorted by
     * name in code point order, each with its own path below the resolved directory.
     *
     * @throws java.nio.file.NoSuchFileException when there is nothing at {@code dirPath}
     * @throws java.nio.file.NotDirectoryException when it is not a directory
     */
    List<SourceFile> list(String dirPath) throws IOException;

    /** The content of a regular file of this tree, as returned by {@link #lookup} or {@link #list}. */
    InputStream open(SourceFile file) throws IOException;

    /**
     * The host file behind an entry of this tree, when the tree is a host directory: for stat-based
     * caching of content digests only, never for reading past this tree's rules. Empty otherwise.
     */
    default java.util.Optional<java.nio.file.Path> hostPath(SourceFile file) {
        return java.util.Optional.empty();
    }
}

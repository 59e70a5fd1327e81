package dev.jbuild.context;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RootedResolver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A read-only file tree that {@code COPY} and {@code ADD} read from: the build context, or the root
 * filesystem of another stage or image. Paths are slash-separated and cleaned first, relative ones
 * taken from the root ({@code a/../b} is {@code /b}, {@code ../x} is {@code /x}).
 *
 * <p>Symbolic links are resolved <em>inside</em> the tree by {@link RootedResolver}, the one
 * resolver for every tree ({@link #find}): {@code ..} never climbs above {@code /}, an absolute
 * target starts again at the tree root, and nothing outside the tree is ever reached.
 * Implementations must be safe to use from several threads.
 */
public interface SourceTree {

    /**
     * The entry at {@code path}: symbolic links in the directories leading to it are followed
     * inside the tree, a symbolic link in the last element is returned as is. Empty when nothing
     * is there (also when a directory on the way is missing or is not a directory).
     *
     * @throws dev.jbuild.layer.TooManyLinksException "too many levels of symbolic links" for a loop
     */
    Optional<SourceFile> lookup(String path) throws IOException;

    /**
     * Like {@link #lookup}, but a symbolic link in the last element is followed too, again inside
     * the tree. Empty for a dangling link. The default walks with {@link #find}, reading each entry
     * through {@link #lookup}, which is exact for the paths the walk asks for (no links above them).
     */
    default Optional<SourceFile> resolve(String path) throws IOException {
        return find(path, true, this::lookup);
    }

    /**
     * The absolute path {@code path} leads to with its symbolic links followed inside the tree, the last one too,
     * whether or not anything is there: where a dangling link points ({@code escape -> ../secret.txt} at the root
     * leads to {@code /secret.txt}). For messages that name what is missing, as BuildKit names it.
     *
     * @throws dev.jbuild.layer.TooManyLinksException "too many levels of symbolic links" for a loop
     */
    default String leadsTo(String path) throws IOException {
        return LayerPaths.absolute(RootedResolver.forWriting(relative -> lookup(LayerPaths.absolute(relative))
                .map(SourceTree::entryOf).orElse(RootedResolver.Entry.MISSING), path, true).path());
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
    default Optional<Path> hostPath(SourceFile file) {
        return Optional.empty();
    }

    /** Reads one entry whose parent directories are known to be real directories of the tree. */
    @FunctionalInterface
    interface EntryReader {
        /** The entry stored at {@code treePath} (absolute, cleaned), symbolic links not followed. */
        Optional<SourceFile> read(String treePath) throws IOException;
    }

    /**
     * {@link #lookup} ({@code followLast} false) and {@link #resolve} (true) for implementations:
     * the walk is {@link RootedResolver}'s, the one jbuild uses for every tree, and {@code reader}
     * says what is stored at each path it asks for (for image layers: the merged layer index).
     *
     * @throws dev.jbuild.layer.TooManyLinksException after 255 links
     */
    static Optional<SourceFile> find(String path, boolean followLast, EntryReader reader) throws IOException {
        SourceFile[] lastRead = new SourceFile[1]; // the walk mostly ends where it last looked: read it once
        Optional<RootedResolver.Resolved> at = RootedResolver.lookup(relative -> {
            Optional<SourceFile> entry = reader.read(LayerPaths.absolute(relative));
            lastRead[0] = entry.orElse(null);
            return entry.map(SourceTree::entryOf).orElse(RootedResolver.Entry.MISSING);
        }, path, followLast);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        String found = LayerPaths.absolute(at.get().path());
        return lastRead[0] != null && lastRead[0].path().equals(found) ? Optional.of(lastRead[0]) : reader.read(found);
    }

    private static RootedResolver.Entry entryOf(SourceFile file) {
        if (file.isDirectory()) {
            return RootedResolver.Entry.DIRECTORY;
        }
        if (file.isSymlink()) {
            return new RootedResolver.Entry.Symlink(file.linkTarget() == null ? "" : file.linkTarget());
        }
        return RootedResolver.Entry.OTHER;
    }
}

package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Placing and removing trees of files jbuild writes (unpacked layer chains, cache mounts, scratch
 * directories, extracted contexts). A shared directory is made under a private name and renamed
 * into place only when finished, and is renamed away before it is removed, so a name in use only
 * ever holds a complete tree, whatever process dies when.
 */
public final class FileTrees {

    private FileTrees() {}

    /**
     * Removes what is at {@code path}: nothing if absent, a file or link itself (a link is never
     * followed, inside the tree either), a directory with everything in it, made writable first so
     * that read-only directories (a build may copy them) do not stop it.
     */
    public static void deleteTree(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isDirectory()) {
            Files.deleteIfExists(path);
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                dir.toFile().setWritable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Renames the finished directory {@code finished} to {@code target} atomically, or finds that
     * another process (or thread) put a complete one there first: then returns false and leaves
     * {@code finished} to the caller to discard. The failed rename is not told apart by its
     * exception: rename(2) onto a non-empty directory fails with ENOTEMPTY or EEXIST, which Java
     * reports as a plain {@code FileSystemException} or a {@code FileAlreadyExistsException}, so
     * what decides is what stands at {@code target} afterwards.
     *
     * @param isComplete whether an existing {@code target} is finished work (given a directory)
     * @throws IOException when the rename failed and {@code target} is not a complete directory
     */
    public static boolean renameIntoPlace(Path finished, Path target, Predicate<Path> isComplete) throws IOException {
        try {
            Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + finished + " to " + target + " atomically: " + e.getMessage(), e);
        } catch (IOException e) {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && isComplete.test(target)) {
                return false;
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                IOException incomplete = new IOException(target + " exists but is not a complete directory; remove it");
                incomplete.addSuppressed(e);
                throw incomplete;
            }
            throw e;
        }
    }

    /**
     * Renames {@code dir} to a hidden name beside it ({@code .removing-<name>-<random>}) before its
     * removal, so that a removal stopped half-way never leaves a partial tree under the name
     * readers use. Returns the new path, or null when {@code dir} was already gone.
     */
    static Path renameAside(Path dir) throws IOException {
        Path aside = dir.resolveSibling(REMOVING_PREFIX + dir.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
            return aside;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The prefix of {@link #renameAside} names: what is left under one is garbage. */
    static final String REMOVING_PREFIX = ".removing-";
}

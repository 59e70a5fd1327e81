package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The store's temporary files: {@code tmp/} (partial blobs, scratch directories of builds), named
 * with the owner token of the process that made them ({@link TempOwners}), and the {@code .tmp}
 * files that atomic replacements leave beside {@code index.json} and the cache files when killed.
 * It decides which of them are abandoned; opening a store removes abandoned files, garbage
 * collection abandoned directories too.
 */
final class TempSpace {

    /**
     * Temporary files that carry no owner token and are untouched for this long belong to no live
     * writer and are removed (entries with a token go as soon as their owner is gone).
     */
    static final Duration STALE_AGE = Duration.ofHours(1);

    private final Path root;
    private final Path directory;
    private final TempOwners owners;

    TempSpace(Path root, TempOwners owners) {
        this.root = root;
        this.directory = root.resolve("tmp");
        this.owners = owners;
    }

    /** {@code tmp/}. */
    Path directory() {
        return directory;
    }

    /** A fresh name under {@code tmp/} for one partial file ({@code <purpose>-<token>-<unique>.tmp}); not created. */
    Path newFileName(String purpose) {
        return directory.resolve(purpose + "-" + ownerPart() + UUID.randomUUID() + DurableFiles.TEMP_SUFFIX);
    }

    /** A new directory under {@code tmp/}, named for {@code purpose} and this process. */
    Path createDirectory(String purpose) throws IOException {
        try {
            Files.createDirectories(directory);
            return Files.createTempDirectory(directory, purpose + "-" + ownerPart());
        } catch (IOException e) {
            throw NoSpaceLeftException.forStore(e, directory, root);
        }
    }

    /** Removes a directory made by {@link #createDirectory}; {@link IllegalArgumentException} for any other path. */
    void deleteDirectory(Path dir) throws IOException {
        Path normalized = dir.toAbsolutePath().normalize();
        if (!normalized.getParent().equals(directory.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("not a temporary directory of this store: " + dir);
        }
        FileTrees.deleteTree(normalized);
    }

    /** {@code <token>-} for the names of this process's temporary entries; empty without a token. */
    private String ownerPart() {
        String token = owners.token();
        return token == null ? "" : token + "-";
    }

    /**
     * The entries of {@code tmp/} that no live process owns: their owner is gone or, for entries
     * without an owner token, they are older than {@link #STALE_AGE}. Never an entry of a live
     * process, this one included.
     */
    List<Path> abandonedEntries() throws IOException {
        return abandoned(Instant.now().minus(STALE_AGE), false);
    }

    /** Forgets the owner files of dead processes that no entry of {@code tmp/} names any more. */
    void forgetDeadOwners() throws IOException {
        Set<String> inUse = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String token = TempOwners.tokenOf(entry.getFileName().toString());
                if (token != null) {
                    inUse.add(token);
                }
            }
        }
        owners.forgetDead(inUse);
    }

    private List<Path> abandoned(Instant cutoff, boolean filesOnly) throws IOException {
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (filesOnly && !attrs.isRegularFile()) {
                        continue;
                    }
                    String token = TempOwners.tokenOf(entry.getFileName().toString());
                    if (token != null ? owners.isGone(token) : attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        result.add(entry);
                    }
                } catch (NoSuchFileException e) {
                    // renamed or removed by its writer meanwhile
                }
            }
        }
        return result;
    }

    /**
     * Deletes abandoned temporary files: those of {@code tmp/} whose owner is gone or that have no
     * owner and were last modified before {@code cutoff}, and the {@code .tmp} files beside the
     * index, the cache files and the records older than that; then the owner files nothing needs.
     * Directories of {@code tmp/} are left to garbage collection (they may hold files of
     * subordinate ids). Returns how many files went.
     */
    int removeStaleFiles(Instant cutoff) throws IOException {
        int removed = 0;
        for (Path file : abandoned(cutoff, true)) {
            if (Files.deleteIfExists(file)) {
                removed++;
            }
        }
        if (Files.isDirectory(owners.directory())) {
            removed += removeStale(owners.directory(), "*" + TempOwners.PENDING_SUFFIX, cutoff);
        }
        forgetDeadOwners();
        removed += removeStale(root, ".*" + DurableFiles.TEMP_SUFFIX, cutoff);
        for (Path dir : List.of(root.resolve(CacheRecords.DIRECTORY), root.resolve(CacheRecords.DIRECTORY).resolve(CacheRecords.RECORDS))) {
            if (Files.isDirectory(dir)) {
                removed += removeStale(dir, ".*" + DurableFiles.TEMP_SUFFIX, cutoff);
            }
        }
        return removed;
    }

    private static int removeStale(Path dir, String glob, Instant cutoff) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class);
                    // Only plain files: directories under tmp/ belong to later users of the store
                    // and are cleaned by them.
                    if (attrs.isRegularFile() && attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(entry);
                        removed++;
                    }
                } catch (NoSuchFileException e) {
                    // Renamed or removed by its writer meanwhile: not stale.
                }
            }
        }
        return removed;
    }
}

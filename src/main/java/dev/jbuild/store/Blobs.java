package dev.jbuild.store;

import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code blobs/<algorithm>/<hex>}: content named by its digest, written once through a
 * {@link BlobWriter} (into {@code tmp/}, verified, renamed into place) and never modified. Writes
 * take no lock: concurrent writers of one digest write identical content and either rename wins.
 * A blob is deleted only by garbage collection.
 *
 * <p>A file can still be damaged on disk (cut off by a full disk outside jbuild, a restored backup,
 * a hand edit). Where the store decides a blob is already there it compares the file's size with
 * the one expected ({@link #has(Digest, long)}, {@link #moveIntoPlace}), so a damaged blob is
 * written again by the next pull, import or build that brings it instead of staying forever. A
 * stat is the whole check: re-hashing every blob on every lookup would cost a read of each layer;
 * readers that need the content verify it as they stream it.
 */
final class Blobs {

    private final Path root;
    private final Path directory;
    private final TempSpace temp;
    /** Asked for a blob that is not on disk; null for none. */
    private final Store.BlobFallback fallback;

    Blobs(Path root, TempSpace temp) {
        this(root, temp, null);
    }

    private Blobs(Path root, TempSpace temp, Store.BlobFallback fallback) {
        this.root = root;
        this.directory = root.resolve("blobs");
        this.temp = temp;
        this.fallback = fallback;
    }

    Blobs withFallback(Store.BlobFallback fallback) {
        return new Blobs(root, temp, fallback);
    }

    /** Makes {@code blobs/sha256}, so that a new store lists as empty rather than missing. */
    void initialise() throws IOException {
        Files.createDirectories(directory.resolve(Digest.SHA256));
    }

    BlobWriter writer(Digest expected, long expectedSize) throws IOException {
        Path file = temp.newFileName("blob");
        try {
            Files.createDirectories(temp.directory());
            if (expectedSize > 0) {
                // A blob that cannot fit fails before the first byte, rather than filling the disk (a
                // descriptor is only a claim: a registry may say 1 TiB and send until the disk is full).
                long free = Files.getFileStore(temp.directory()).getUsableSpace();
                if (expectedSize > free) {
                    throw NoSpaceLeftException.beforeWriting(file, root, "blob " + (expected == null ? "" : expected + " ")
                            + "of " + sizeText(expectedSize) + " does not fit in the " + sizeText(free) + " free");
                }
            }
            return new BlobWriter(this, file, expected, expectedSize);
        } catch (IOException e) {
            throw writeFailure(e, file);
        }
    }

    /**
     * {@code e}, a failure writing {@code written} in the store, as a full disk naming the file and this
     * store when it is one.
     */
    IOException writeFailure(IOException e, Path written) {
        return NoSpaceLeftException.forStore(e, written, root);
    }

    /** {@code 1099511627776 bytes (1.0 TiB)}: exact, and readable. */
    static String sizeText(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return bytes + " bytes" + (unit < 0 ? "" : String.format(Locale.ROOT, " (%.1f %s)", value, units[unit]));
    }

    Digest put(byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        if (!has(digest, bytes.length)) {
            try (BlobWriter writer = writer(digest, bytes.length)) {
                writer.write(bytes);
                writer.commit();
            }
        }
        return digest;
    }

    boolean has(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * Whether the blob is on disk with {@code size} bytes (any size when negative): a file of
     * another size is a damaged copy, which a writer of the blob then replaces.
     */
    boolean has(Digest digest, long size) {
        Path path = path(digest);
        try {
            return Files.isRegularFile(path) && (size < 0 || Files.size(path) == size);
        } catch (IOException e) {
            return false; // removed meanwhile, or unreadable: a writer of the blob finds out which
        }
    }

    /** Whether the blob is on disk now, after asking the fallback for it when it was not. */
    boolean ensure(Digest digest) throws IOException {
        return has(digest) || fallback != null && fallback.fetch(digest) && has(digest);
    }

    Path path(Digest digest) {
        return directory.resolve(digest.algorithm()).resolve(digest.hex());
    }

    InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(path(digest));
        } catch (NoSuchFileException e) {
            if (fallback != null && fallback.fetch(digest)) {
                return Files.newInputStream(path(digest));
            }
            throw notFound(digest);
        }
    }

    byte[] readBytes(Digest digest) throws IOException {
        if (!ensure(digest)) {
            throw notFound(digest);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path(digest));
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        }
        Digest actual = Digest.of(digest.algorithm(), bytes);
        if (!actual.equals(digest)) {
            throw DigestMismatchException.digest(digest, actual);
        }
        return bytes;
    }

    long size(Digest digest) throws IOException {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        }
    }

    private NoSuchFileException notFound(Digest digest) {
        return new NoSuchFileException(path(digest).toString(), null, "blob " + digest + " is not in the store");
    }

    /**
     * Called by a committing {@link BlobWriter} with its complete, verified, synced file. An existing
     * blob of the same size is kept (the same content, from a concurrent writer or an earlier one);
     * one of another size is damaged, and the verified file replaces it.
     */
    void moveIntoPlace(Path file, Digest digest) throws IOException {
        Path target = path(digest);
        if (has(digest, Files.size(file))) {
            Files.delete(file);
            return;
        }
        try {
            Files.createDirectories(target.getParent());
            DurableFiles.atomicReplace(file, target);
        } catch (IOException e) {
            throw writeFailure(e, target); // a directory that must grow to hold the name
        }
        DurableFiles.fsyncDirectory(target.getParent());
    }

    /**
     * Deletes a blob; only for garbage collection, under {@link Store#exclusiveUse()} and the index
     * lock, so that no build reads it and no tag can be made to point at it meanwhile. Returns the
     * bytes freed.
     */
    long delete(Digest digest) throws IOException {
        Path path = path(digest);
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            return 0;
        }
        return Files.deleteIfExists(path) ? size : 0;
    }

    /** Every sha256 blob with its size. */
    Map<Digest, Long> all() throws IOException {
        Map<Digest, Long> result = new TreeMap<>(Comparator.comparing(Digest::toString));
        Path dir = directory.resolve(Digest.SHA256);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                try {
                    Digest digest = Digest.parse(Digest.SHA256 + ":" + entry.getFileName());
                    result.put(digest, Files.size(entry));
                } catch (IllegalArgumentException | NoSuchFileException e) {
                    // not a blob name, or removed meanwhile
                }
            }
        }
        return result;
    }
}

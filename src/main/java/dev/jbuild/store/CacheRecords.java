package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code cache/}: build cache records under {@code records/<key>} (a key is 64 hex digits), written
 * once and atomically after the blobs they name, their modification time the time of their last
 * use; and helper files under {@code cache/<name>} (the context digest cache). Records need no
 * lock: concurrent writers of one key write equivalent records and either rename wins. The bytes
 * are the build's; of their format the store knows only what garbage collection must
 * ({@link RecordReferences}).
 */
final class CacheRecords {

    static final String DIRECTORY = "cache";
    static final String RECORDS = "records";

    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern FILE_NAME = Pattern.compile("[a-z][a-z0-9-]*");

    private final Path root;
    private final Path directory;

    CacheRecords(Path root) {
        this.root = root;
        this.directory = root.resolve(DIRECTORY);
    }

    /** {@code cache/}, where the use lock and garbage collection's clock live too. */
    Path directory() {
        return directory;
    }

    Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(recordPath(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    void write(String key, byte[] bytes) throws IOException {
        Path target = recordPath(key);
        DurableFiles.createDirectories(target.getParent(), root);
        DurableFiles.writeAtomically(target, bytes, root);
    }

    /** Removes a record; false when there was none. Only for garbage collection. */
    boolean delete(String key) throws IOException {
        return Files.deleteIfExists(recordPath(key));
    }

    /** Every record's key with its file's last-modified time (refreshed on every hit). */
    Map<String, Instant> all() throws IOException {
        Map<String, Instant> keys = new TreeMap<>();
        Path dir = directory.resolve(RECORDS);
        if (!Files.isDirectory(dir)) {
            return keys;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (KEY.matcher(name).matches()) {
                    try {
                        keys.put(name, Files.getLastModifiedTime(entry).toInstant());
                    } catch (NoSuchFileException e) {
                        // removed meanwhile
                    }
                }
            }
        }
        return keys;
    }

    /** Marks a record as used now; best effort. */
    void touch(String key) {
        try {
            Files.setLastModifiedTime(recordPath(key), FileTime.from(Instant.now()));
        } catch (IOException e) {
            // a read-only store still serves hits
        }
    }

    Optional<byte[]> readFile(String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(filePath(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    void writeFile(String name, byte[] bytes) throws IOException {
        DurableFiles.createDirectories(directory, root);
        DurableFiles.writeAtomically(filePath(name), bytes, root);
    }

    private Path recordPath(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid cache key " + key);
        }
        return directory.resolve(RECORDS).resolve(key);
    }

    private Path filePath(String name) {
        if (!FILE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid cache file name " + name);
        }
        return directory.resolve(name);
    }
}

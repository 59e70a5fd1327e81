package dev.jbuild.store;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The local content-addressed store: an OCI image layout that concurrent jbuild processes share.
 *
 * <pre>
 * $JBUILD_ROOT/
 *   oci-layout            {"imageLayoutVersion":"1.0.0"}
 *   index.json            tags: manifests annotated org.opencontainers.image.ref.name
 *   index.json.lock       file lock for index.json read-modify-write
 *   blobs/sha256/&lt;hex&gt;   content, named by digest, written once, never modified
 *   tmp/                  partial writes; renamed into blobs/ when complete and verified;
 *                         scratch directories. Names carry their creator's owner token
 *   owners/&lt;token&gt;        locked by the live process whose tmp/ entries carry &lt;token&gt;
 *   cache/records/&lt;key&gt;  build cache records (cache key → layer, history, config), written once
 *   cache/files           content digests of context files by path and stat data (a cache)
 *   cache/build.lock      shared by running builds, exclusive for garbage collection
 *   rootfs/               unpacked layer chains for RUN
 * </pre>
 *
 * <p><b>Concurrency.</b> Blob writes need no lock: each writer streams into its own file in
 * {@code tmp/} and renames it atomically; identical content makes concurrent renames harmless.
 * Changes to {@code index.json} are serialised by a file lock (across processes) and an in-process
 * lock (across threads), and replace the file atomically (temporary file in the same directory,
 * fsync, rename, fsync of the directory). Readers take no lock: they always see a whole file.
 *
 * <p><b>Crash safety.</b> A killed process can leave files only in {@code tmp/} (or a
 * {@code .index.json.*.tmp} next to index.json); they never affect reads. An entry of {@code tmp/}
 * is abandoned as soon as the process that made it is gone (its lock on {@code owners/<token>} is
 * free, see {@link TempOwners}): opening a store deletes abandoned files, garbage collection
 * abandoned directories too. Entries without a token (and the {@code .tmp} files beside
 * index.json and cache records) are abandoned when not modified for {@link #STALE_TEMP_AGE}; a
 * younger one may belong to a write still in progress in another process.
 *
 * <p>A {@code Store} is immutable and thread-safe; open it once per process and share it.
 *
 * <p><b>Garbage collection</b> ({@link #deleteBlob}, used by {@code jbuild prune}) runs only under
 * {@link #exclusiveUse()}, which waits until no build holds {@link #sharedUse()}: nothing a running
 * build reads or has written but not yet tagged can disappear under it.
 */
public final class Store {

    /**
     * Temporary files that carry no owner token and are untouched for this long belong to no live
     * writer and are removed (entries with a token go as soon as their owner is gone).
     */
    public static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX_FILE = "index.json";
    static final String LOCK_FILE = "index.json.lock";
    static final String TEMP_SUFFIX = ".tmp";

    /**
     * The OCI image-spec grammar for {@code org.opencontainers.image.ref.name}: components of
     * alphanumerics joined by {@code -._:@+} or {@code --}, separated by {@code /}.
     */
    private static final Pattern REF_NAME = Pattern.compile(
            "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final IndexLock indexLock;
    private final Path cache;
    private final UseLock useLock;
    private final BlobFallback fallback;
    private final TempOwners owners;

    private Store(Path root, IndexLock indexLock) {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.tmp = root.resolve("tmp");
        this.cache = root.resolve("cache");
        this.indexLock = indexLock;
        this.useLock = UseLock.forStore(root, cache.resolve("build.lock"));
        this.fallback = null;
        this.owners = TempOwners.forStore(root);
    }

    private Store(Store store, BlobFallback fallback) {
        this.root = store.root;
        this.blobs = store.blobs;
        this.tmp = store.tmp;
        this.cache = store.cache;
        this.indexLock = store.indexLock;
        this.useLock = store.useLock;
        this.fallback = fallback;
        this.owners = store.owners;
    }

    /**
     * Where a blob the store does not have may still come from: a build knows layers of a registry
     * cache that it downloads only when something reads them.
     */
    public interface BlobFallback {
        /** Puts {@code digest} into the store if this source knows it; false if it does not. */
        boolean fetch(Digest digest) throws IOException;
    }

    /**
     * The same store, whose reads ({@link #open}, {@link #readBytes}, {@link #ensure}) of a missing
     * blob ask {@code fallback} first. {@link #has} still says what is on disk.
     */
    public Store withBlobFallback(BlobFallback fallback) {
        return new Store(this, fallback);
    }

    /** Whether the blob is on disk now, after asking the fallback for it when it was not. */
    public boolean ensure(Digest digest) throws IOException {
        return has(digest) || fallback != null && fallback.fetch(digest) && has(digest);
    }

    /**
     * Opens the store at {@code root}, creating the layout when missing and removing stale
     * temporary files.
     */
    public static Store open(Path root) throws IOException {
        Files.createDirectories(root);
        Path real = root.toRealPath();
        Store store = new Store(real, IndexLock.forStore(real, LOCK_FILE));
        store.initialise();
        return store;
    }

    /** Opens the store at {@link #defaultRoot()}. */
    public static Store openDefault() throws IOException {
        return open(defaultRoot());
    }

    /**
     * {@code $JBUILD_ROOT}, else {@code $XDG_DATA_HOME/jbuild}, else
     * {@code ~/.local/share/jbuild} (relative XDG values are ignored, as the XDG spec says). {@code ~}
     * is {@code $HOME}, as for docker and podman (CI containers and pods often run as a uid whose
     * passwd entry, Java's {@code user.home}, is missing or not writable); the passwd home without it.
     */
    public static Path defaultRoot() {
        return defaultRoot(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultRoot(Map<String, String> env, String passwdHome) {
        String home = env.get("HOME");
        String userHome = home != null && !home.isEmpty() ? home : passwdHome;
        String explicit = env.get("JBUILD_ROOT");
        if (explicit != null && !explicit.isEmpty()) {
            return Paths.get(explicit);
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty() && Paths.get(xdg).isAbsolute()) {
            return Paths.get(xdg, "jbuild");
        }
        return Paths.get(userHome, ".local", "share", "jbuild");
    }

    public Path root() {
        return root;
    }

    // ---- blobs --------------------------------------------------------------------------------

    /** A writer for a blob whose digest is not known in advance (sha256). */
    public BlobWriter blobWriter() throws IOException {
        return newWriter(null, -1);
    }

    /**
     * A writer that verifies the content against {@code expected} and, when {@code expectedSize}
     * is not negative, its size; a mismatch keeps nothing. A size larger than the store's free
     * space fails at once (IOException naming the blob, its size and the free space).
     */
    public BlobWriter blobWriter(Digest expected, long expectedSize) throws IOException {
        return newWriter(expected, expectedSize);
    }

    /** A writer verifying against a descriptor's digest and size. */
    public BlobWriter blobWriter(Descriptor descriptor) throws IOException {
        return newWriter(descriptor.digest(), descriptor.size());
    }

    private BlobWriter newWriter(Digest expected, long expectedSize) throws IOException {
        Path temp = tmp.resolve("blob-" + ownerPart() + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            Files.createDirectories(tmp);
            if (expectedSize > 0) {
                // A blob that cannot fit fails before the first byte, rather than filling the disk (a
                // descriptor is only a claim: a registry may say 1 TiB and send until the disk is full).
                long free = Files.getFileStore(tmp).getUsableSpace();
                if (expectedSize > free) {
                    throw NoSpaceLeftException.beforeWriting(temp, root, "blob " + (expected == null ? "" : expected + " ")
                            + "of " + sizeText(expectedSize) + " does not fit in the " + sizeText(free) + " free");
                }
            }
            return new BlobWriter(this, temp, expected, expectedSize);
        } catch (IOException e) {
            throw writeFailure(e, temp);
        }
    }

    /**
     * {@code e}, a failure writing {@code written} in the store, as a full disk naming the file and this
     * store when it is one: every write of the store (blobs, tags, records, scratch) reports through here.
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
        return bytes + " bytes" + (unit < 0 ? "" : String.format(java.util.Locale.ROOT, " (%.1f %s)", value, units[unit]));
    }

    /** Stores {@code bytes} (sha256) unless already present; returns their digest. */
    public Digest putBytes(byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        if (!has(digest)) {
            try (BlobWriter writer = blobWriter(digest, bytes.length)) {
                writer.write(bytes);
                writer.commit();
            }
        }
        return digest;
    }

    /** Stores {@code bytes} and returns their descriptor with {@code mediaType}. */
    public Descriptor putBytes(String mediaType, byte[] bytes) throws IOException {
        return new Descriptor(mediaType, putBytes(bytes), bytes.length);
    }

    public boolean has(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * Where the blob lives (or would live), for zero-copy use such as {@code sendfile} or
     * hardlinks. The file must be treated as read-only.
     */
    public Path path(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** Reads a blob; {@link NoSuchFileException} when absent. */
    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(path(digest));
        } catch (NoSuchFileException e) {
            if (fallback != null && fallback.fetch(digest)) {
                return Files.newInputStream(path(digest));
            }
            throw notFound(digest);
        }
    }

    /**
     * A whole blob in memory, checked against its digest (the file could have been damaged on
     * disk); for manifests and configs, not layers.
     */
    public byte[] readBytes(Digest digest) throws IOException {
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

    public long size(Digest digest) throws IOException {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        }
    }

    private NoSuchFileException notFound(Digest digest) {
        return new NoSuchFileException(path(digest).toString(), null, "blob " + digest + " is not in the store");
    }

    /** Called by a committing {@link BlobWriter} with its complete, verified, synced file. */
    void moveIntoPlace(Path temp, Digest digest) throws IOException {
        Path target = path(digest);
        if (Files.exists(target)) {
            Files.delete(temp);
            return;
        }
        try {
            Files.createDirectories(target.getParent());
            DurableFiles.atomicReplace(temp, target);
        } catch (IOException e) {
            throw writeFailure(e, target); // a directory that must grow to hold the name
        }
        DurableFiles.fsyncDirectory(target.getParent());
    }

    // ---- tags (index.json) ----------------------------------------------------------------------

    /**
     * Points {@code name} (a full reference such as {@code docker.io/library/app:1.0}) at
     * {@code manifest}, replacing whatever it pointed at. The entry keeps its position in
     * index.json when the name existed, else it is appended. The store compares names as
     * strings: callers normalise references first ({@code app} and
     * {@code docker.io/library/app:latest} are different names here).
     */
    public void tag(String name, Descriptor manifest) throws IOException {
        checkName(name);
        Descriptor entry = manifest.withAnnotation(Descriptor.REF_NAME, name);
        indexLock.locked(() -> {
            Index index = readIndex();
            List<Descriptor> next = new ArrayList<>();
            boolean placed = false;
            for (Descriptor d : index.manifests()) {
                if (!name.equals(d.annotation(Descriptor.REF_NAME))) {
                    next.add(d);
                } else if (!placed) {
                    next.add(entry);
                    placed = true;
                }
            }
            if (!placed) {
                next.add(entry);
            }
            writeIndex(index.withManifests(next));
            return null;
        });
    }

    /** Removes {@code name}; false when there was no such tag. The manifest's blobs stay. */
    public boolean untag(String name) throws IOException {
        return indexLock.locked(() -> {
            Index index = readIndex();
            List<Descriptor> next = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (!name.equals(d.annotation(Descriptor.REF_NAME))) {
                    next.add(d);
                }
            }
            if (next.size() == index.manifests().size()) {
                return false;
            }
            writeIndex(index.withManifests(next));
            return true;
        });
    }

    /** The manifest {@code name} points at, without the ref.name annotation. */
    public Optional<Descriptor> resolve(String name) throws IOException {
        for (Descriptor d : readIndex().manifests()) {
            if (name.equals(d.annotation(Descriptor.REF_NAME))) {
                return Optional.of(d.withAnnotation(Descriptor.REF_NAME, null));
            }
        }
        return Optional.empty();
    }

    /** All tags, sorted by name, each with its manifest descriptor (without the ref.name annotation). */
    public Map<String, Descriptor> tags() throws IOException {
        Map<String, Descriptor> tags = new TreeMap<>();
        for (Descriptor d : readIndex().manifests()) {
            String name = d.annotation(Descriptor.REF_NAME);
            if (name != null) {
                tags.putIfAbsent(name, d.withAnnotation(Descriptor.REF_NAME, null));
            }
        }
        return Collections.unmodifiableMap(tags);
    }

    /** The whole index.json, including entries that are not tags. */
    public Index index() throws IOException {
        return readIndex();
    }

    private static void checkName(String name) {
        if (name == null || !REF_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid tag name '" + name + "' for the store");
        }
    }

    private Index readIndex() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(root.resolve(INDEX_FILE));
        } catch (NoSuchFileException e) {
            return emptyIndex();
        }
        return ImageDocuments.parseIndex(bytes).value();
    }

    private static Index emptyIndex() {
        return new Index(MediaTypes.OCI_INDEX, List.of());
    }

    /** Replaces index.json atomically; the caller holds the index lock. */
    private void writeIndex(Index index) throws IOException {
        writeAtomically(INDEX_FILE, ImageDocuments.encode(index).bytes());
    }

    private void writeAtomically(String fileName, byte[] bytes) throws IOException {
        writeAtomically(root.resolve(fileName), bytes);
    }

    /**
     * Replaces {@code target} whole or not at all: a full disk leaves the old file (the old tags) and no
     * temporary file behind.
     */
    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                out.write(bytes);
                out.flush();
                channel.force(true);
            }
            DurableFiles.atomicReplace(temp, target);
            DurableFiles.fsyncDirectory(dir);
        } catch (IOException e) {
            throw writeFailure(e, temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    // ---- build cache ----------------------------------------------------------------------------

    /** A hold on the store from {@link #sharedUse()} or {@link #exclusiveUse()}; close to release. */
    public interface Use extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    private static final Pattern CACHE_KEY = Pattern.compile("[0-9a-f]{64}");

    /** {@code $JBUILD_ROOT/cache}: build cache records and helper files. */
    public Path cacheDirectory() {
        return cache;
    }

    /** The record stored under {@code key} (64 hex digits), or empty. */
    public Optional<byte[]> readCacheRecord(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(cacheRecordPath(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores a cache record durably and atomically (temporary file, fsync, rename, fsync of the
     * directory). Records need no lock: concurrent writers of one key write equivalent records and
     * either rename wins. Write the blobs a record refers to first.
     */
    public void writeCacheRecord(String key, byte[] bytes) throws IOException {
        Path target = cacheRecordPath(key);
        createDirectories(target.getParent());
        writeAtomically(target, bytes);
    }

    private void createDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw writeFailure(e, dir);
        }
    }

    /** Removes a record; false when there was none. Only for garbage collection. */
    public boolean deleteCacheRecord(String key) throws IOException {
        return Files.deleteIfExists(cacheRecordPath(key));
    }

    /** Every cache record's key with its file's last-modified time (refreshed on every hit). */
    public Map<String, Instant> cacheRecords() throws IOException {
        Map<String, Instant> keys = new TreeMap<>();
        Path dir = cache.resolve("records");
        if (!Files.isDirectory(dir)) {
            return keys;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (CACHE_KEY.matcher(name).matches()) {
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

    /** Marks a record as used now, so that {@code prune --filter until=...} keeps it; best effort. */
    public void touchCacheRecord(String key) {
        try {
            Files.setLastModifiedTime(cacheRecordPath(key), java.nio.file.attribute.FileTime.from(Instant.now()));
        } catch (IOException e) {
            // a read-only store still serves hits
        }
    }

    private Path cacheRecordPath(String key) {
        if (key == null || !CACHE_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid cache key " + key);
        }
        return cache.resolve("records").resolve(key);
    }

    /** A helper file under {@code cache/} (such as the context digest cache), or empty. */
    public Optional<byte[]> readCacheFile(String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(cacheFilePath(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Replaces a helper file under {@code cache/} atomically and durably. */
    public void writeCacheFile(String name, byte[] bytes) throws IOException {
        createDirectories(cache);
        writeAtomically(cacheFilePath(name), bytes);
    }

    private Path cacheFilePath(String name) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("invalid cache file name " + name);
        }
        return cache.resolve(name);
    }

    /**
     * Declares that a build is using the store until the returned handle is closed: garbage
     * collection waits for it. Many builds (threads and processes) may hold this at once.
     */
    public Use sharedUse() throws IOException {
        Files.createDirectories(cache);
        return useLock.shared();
    }

    /**
     * Waits until no build uses the store and keeps new ones out until the handle is closed: the
     * only time blobs, records and rootfs directories may be deleted.
     */
    public Use exclusiveUse() throws IOException {
        Files.createDirectories(cache);
        return useLock.exclusive();
    }

    /**
     * Like {@link #exclusiveUse()}, but gives up at once (empty) when a build or another collection
     * uses the store: for automatic garbage collection, which must never make a build wait.
     */
    public Optional<Use> tryExclusiveUse() throws IOException {
        Files.createDirectories(cache);
        return useLock.tryExclusive();
    }

    /**
     * Deletes a blob; only under {@link #exclusiveUse()}, and also under the index lock, so that
     * no tag can be made to point at it meanwhile. Returns the bytes freed.
     */
    public long deleteBlob(Digest digest) throws IOException {
        Path path = path(digest);
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            return 0;
        }
        return Files.deleteIfExists(path) ? size : 0;
    }

    /** Every blob in the store with its size. */
    public Map<Digest, Long> blobs() throws IOException {
        Map<Digest, Long> result = new TreeMap<>(java.util.Comparator.comparing(Digest::toString));
        Path dir = blobs.resolve(Digest.SHA256);
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

    /** Runs {@code action} under the index lock (for garbage collection, which must not race tagging). */
    public <T> T withIndexLocked(java.util.concurrent.Callable<T> action) throws IOException {
        return indexLock.locked(() -> {
            try {
                return action.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
        });
    }

    /** {@code tmp/}, where partial writes and builds' scratch directories live. */
    public Path temporaryDirectory() {
        return tmp;
    }

    // ---- layout ---------------------------------------------------------------------------------

    private void initialise() throws IOException {
        Files.createDirectories(blobs.resolve(Digest.SHA256));
        Files.createDirectories(tmp);
        indexLock.locked(() -> {
            if (!Files.exists(root.resolve(LAYOUT_FILE))) {
                writeAtomically(LAYOUT_FILE, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            }
            if (!Files.exists(root.resolve(INDEX_FILE))) {
                writeIndex(emptyIndex());
            }
            return null;
        });
        removeStaleTemporaryFiles(Instant.now().minus(STALE_TEMP_AGE));
    }

    /** {@code <token>-} for the names of this process's temporary entries; empty without a token. */
    private String ownerPart() {
        String token = owners.token();
        return token == null ? "" : token + "-";
    }

    /**
     * A new directory under {@code tmp/} for one operation's scratch files (an extracted context,
     * files copied out of layers). The caller removes it with {@link #deleteTemporaryDirectory};
     * one left by a killed process stays until a garbage collection removes it, which it may do as
     * soon as the process is gone.
     */
    public Path createTemporaryDirectory(String purpose) throws IOException {
        try {
            Files.createDirectories(tmp);
            return Files.createTempDirectory(tmp, purpose + "-" + ownerPart());
        } catch (IOException e) {
            throw writeFailure(e, tmp);
        }
    }

    /**
     * The entries of {@code tmp/} that no live process owns: their owner is gone or, for entries
     * without an owner token, they are older than {@link #STALE_TEMP_AGE}. Never an entry of a
     * live process, this one included. For garbage collection, which removes them.
     */
    public List<Path> abandonedTemporaryEntries() throws IOException {
        return abandoned(Instant.now().minus(STALE_TEMP_AGE), false);
    }

    /** Forgets the owner files of dead processes that no entry of {@code tmp/} names any more. */
    public void forgetDeadOwners() throws IOException {
        java.util.Set<String> inUse = new java.util.HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
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
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS);
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
     * Removes a directory made by {@link #createTemporaryDirectory} with everything in it. Links
     * inside are removed, never followed; read-only directories are made writable first.
     *
     * @throws IllegalArgumentException for a path that is not such a directory
     */
    public void deleteTemporaryDirectory(Path dir) throws IOException {
        Path normalized = dir.toAbsolutePath().normalize();
        if (!normalized.getParent().equals(tmp.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("not a temporary directory of this store: " + dir);
        }
        FileTrees.deleteTree(normalized);
    }

    /**
     * Deletes abandoned temporary files: those of {@code tmp/} whose owner is gone or that have no
     * owner and were last modified before {@code cutoff}, and the {@code .tmp} files beside the
     * index and records older than that; then the owner files nothing needs. Directories of
     * {@code tmp/} are left to garbage collection (they may hold files of subordinate ids).
     * Returns how many files went.
     */
    int removeStaleTemporaryFiles(Instant cutoff) throws IOException {
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
        removed += removeStale(root, ".*" + TEMP_SUFFIX, cutoff);
        if (Files.isDirectory(cache)) {
            removed += removeStale(cache, ".*" + TEMP_SUFFIX, cutoff);
        }
        if (Files.isDirectory(cache.resolve("records"))) {
            removed += removeStale(cache.resolve("records"), ".*" + TEMP_SUFFIX, cutoff);
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

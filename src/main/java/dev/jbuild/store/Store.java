package dev.jbuild.store;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Index;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

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
 *   builds.jsonl          the build record: one line per build (who, what, from what, how it ended)
 *   builds.jsonl.lock     file lock for appending to it
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
 * index.json and cache records) are abandoned when not modified for {@link TempSpace#STALE_AGE}; a
 * younger one may belong to a write still in progress in another process.
 *
 * <p><b>Parts.</b> This class is the package's entry point and composes one class per concept,
 * each the only code that touches its files: {@link Blobs} ({@code blobs/}), {@link Tags}
 * ({@code index.json}, {@code oci-layout}), {@link CacheRecords} ({@code cache/}),
 * {@link TempSpace} ({@code tmp/}, {@code owners/}), {@link BuildRecords} ({@code builds.jsonl}), and the locks {@link IndexLock} and
 * {@link UseLock}; {@link DurableFiles} holds the write steps they share.
 *
 * <p>A {@code Store} is immutable and thread-safe; open it once per process and share it.
 *
 * <p><b>Garbage collection</b> ({@link StoreMaintenance}, {@code jbuild prune}) runs only under
 * {@link #exclusiveUse()}, which waits until no build holds {@link #sharedUse()}: nothing a running
 * build reads or has written but not yet tagged can disappear under it. What it deletes with
 * (deleting blobs and records, listing abandoned temporary entries) is package-private.
 */
public final class Store {

    private final Path root;
    private final Blobs blobs;
    private final Tags tags;
    private final CacheRecords records;
    private final TempSpace temp;
    private final UseLock useLock;
    private final BuildRecords builds;

    private Store(Path root, Blobs blobs, Tags tags, CacheRecords records, TempSpace temp, UseLock useLock,
            BuildRecords builds) {
        this.root = root;
        this.blobs = blobs;
        this.tags = tags;
        this.records = records;
        this.temp = temp;
        this.useLock = useLock;
        this.builds = builds;
    }

    /**
     * Opens the store at {@code root}, creating the layout when missing and removing stale
     * temporary files. An index.json that cannot be read fails here, naming the file
     * ({@link #cannotOpen} words it), rather than at the first tag after a build's work.
     */
    public static Store open(Path root) throws IOException {
        return open(root, true);
    }

    /**
     * Opens the store only to remove it ({@code jbuild system reset}): as {@link #open}, but a damaged
     * index.json is no failure, since removing the store is the remedy its message gives.
     */
    public static Store openForReset(Path root) throws IOException {
        return open(root, false);
    }

    private static Store open(Path root, boolean checkIndex) throws IOException {
        Files.createDirectories(root);
        Path real = root.toRealPath();
        TempSpace temp = new TempSpace(real, TempOwners.forStore(real));
        CacheRecords records = new CacheRecords(real);
        Store store = new Store(real, new Blobs(real, temp), new Tags(real, IndexLock.forStore(real, Tags.LOCK_FILE)),
                records, temp, UseLock.forStore(real, records.directory().resolve("build.lock")),
                new BuildRecords(real, IndexLock.forStore(real, BuildRecords.LOCK_FILE), BuildRecords.MAX_BYTES));
        store.blobs.initialise();
        Files.createDirectories(temp.directory());
        store.tags.initialise(checkIndex);
        temp.removeStaleFiles(Instant.now().minus(TempSpace.STALE_AGE));
        return store;
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

    /**
     * Why the store at {@code location} could not be opened, worded for the user (the CLI's and the Java API's
     * error): with the ways to choose another.
     */
    public static String cannotOpen(Path location, IOException e) {
        if (e instanceof DamagedIndexException) {
            // Its message says how to recover; another directory would only hide the store.
            return "cannot open the image store at " + location + ": " + e.getMessage();
        }
        return "cannot open the image store at " + location + ": " + e.getMessage()
                + " (use --root or JBUILD_ROOT to choose a writable directory)";
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
        return new Store(root, blobs.withFallback(fallback), tags, records, temp, useLock, builds);
    }

    /** Whether the blob is on disk now, after asking the fallback for it when it was not. */
    public boolean ensure(Digest digest) throws IOException {
        return blobs.ensure(digest);
    }

    /** A writer for a blob whose digest is not known in advance (sha256). */
    public BlobWriter blobWriter() throws IOException {
        return blobs.writer(null, -1);
    }

    /**
     * A writer that verifies the content against {@code expected} and, when {@code expectedSize}
     * is not negative, its size; a mismatch keeps nothing. A size larger than the store's free
     * space fails at once (IOException naming the blob, its size and the free space).
     */
    BlobWriter blobWriter(Digest expected, long expectedSize) throws IOException {
        return blobs.writer(expected, expectedSize);
    }

    /** A writer verifying against a descriptor's digest and size. */
    public BlobWriter blobWriter(Descriptor descriptor) throws IOException {
        return blobs.writer(descriptor.digest(), descriptor.size());
    }

    /** Stores {@code bytes} (sha256) unless already present; returns their digest. */
    public Digest putBytes(byte[] bytes) throws IOException {
        return blobs.put(bytes);
    }

    /** Stores {@code bytes} and returns their descriptor with {@code mediaType}. */
    public Descriptor putBytes(String mediaType, byte[] bytes) throws IOException {
        return new Descriptor(mediaType, blobs.put(bytes), bytes.length);
    }

    public boolean has(Digest digest) {
        return blobs.has(digest);
    }

    /**
     * Whether the store holds the blob {@code descriptor} describes: its digest, with its size (a
     * stat, no hash). A file of another size is damaged: callers that would skip a download or a copy
     * for a blob already there ask this, and write it again, which replaces the damaged file.
     */
    public boolean has(Descriptor descriptor) {
        return blobs.has(descriptor.digest(), descriptor.size());
    }

    /**
     * Where the blob lives (or would live), for zero-copy use such as {@code sendfile} or
     * hardlinks. The file must be treated as read-only.
     */
    public Path path(Digest digest) {
        return blobs.path(digest);
    }

    /** Reads a blob; {@link NoSuchFileException} when absent. */
    public InputStream open(Digest digest) throws IOException {
        return blobs.open(digest);
    }

    /**
     * A whole blob in memory, checked against its digest (the file could have been damaged on
     * disk); for manifests and configs, not layers.
     */
    public byte[] readBytes(Digest digest) throws IOException {
        return blobs.readBytes(digest);
    }

    /** A stored blob's size on disk (to check it against a descriptor without reading it); {@link NoSuchFileException} when absent. */
    public long size(Digest digest) throws IOException {
        return blobs.size(digest);
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
        tags.tag(name, manifest);
    }

    /** Removes {@code name}; false when there was no such tag. The manifest's blobs stay. */
    public boolean untag(String name) throws IOException {
        return tags.untag(name);
    }

    /** The manifest {@code name} points at, without the ref.name annotation. */
    public Optional<Descriptor> resolve(String name) throws IOException {
        return tags.resolve(name);
    }

    /** All tags, sorted by name, each with its manifest descriptor (without the ref.name annotation). */
    public Map<String, Descriptor> tags() throws IOException {
        return tags.all();
    }

    /** The whole index.json, including entries that are not tags. */
    Index index() throws IOException {
        return tags.index();
    }

    // ---- build cache ----------------------------------------------------------------------------

    /** The record stored under {@code key} (64 hex digits), or empty. */
    public Optional<byte[]> readCacheRecord(String key) throws IOException {
        return records.read(key);
    }

    /**
     * Stores a cache record durably and atomically (temporary file, fsync, rename, fsync of the
     * directory). Records need no lock: concurrent writers of one key write equivalent records and
     * either rename wins. Write the blobs a record refers to first.
     */
    public void writeCacheRecord(String key, byte[] bytes) throws IOException {
        records.write(key, bytes);
    }

    /** Marks a record as used now, so that {@code prune --filter until=...} keeps it; best effort. */
    public void touchCacheRecord(String key) {
        records.touch(key);
    }

    /** A helper file under {@code cache/} (such as the context digest cache), or empty. */
    public Optional<byte[]> readCacheFile(String name) throws IOException {
        return records.readFile(name);
    }

    /** Replaces a helper file under {@code cache/} atomically and durably. */
    public void writeCacheFile(String name, byte[] bytes) throws IOException {
        records.writeFile(name, bytes);
    }

    // ---- build record ---------------------------------------------------------------------------

    /** {@code builds.jsonl}: one record per build, appended by the CLI, read by {@code jbuild history}. */
    public BuildRecords buildRecords() {
        return builds;
    }

    // ---- use locks ------------------------------------------------------------------------------

    /** A hold on the store from {@link #sharedUse()} or {@link #exclusiveUse()}; close to release. */
    public interface Use extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Declares that a build is using the store until the returned handle is closed: garbage
     * collection waits for it. Many builds (threads and processes) may hold this at once.
     */
    public Use sharedUse() throws IOException {
        Files.createDirectories(records.directory());
        return useLock.shared();
    }

    /**
     * Waits until no build uses the store and keeps new ones out until the handle is closed: the
     * only time blobs, records and rootfs directories may be deleted.
     */
    Use exclusiveUse() throws IOException {
        Files.createDirectories(records.directory());
        return useLock.exclusive();
    }

    /**
     * Like {@link #exclusiveUse()}, but gives up at once (empty) when a build or another collection
     * uses the store: for automatic garbage collection, which must never make a build wait.
     */
    Optional<Use> tryExclusiveUse() throws IOException {
        Files.createDirectories(records.directory());
        return useLock.tryExclusive();
    }

    // ---- temporary files ------------------------------------------------------------------------

    /** {@code tmp/}, where partial writes and builds' scratch directories live. */
    public Path temporaryDirectory() {
        return temp.directory();
    }

    /**
     * A new directory under {@code tmp/} for one operation's scratch files (an extracted context,
     * files copied out of layers). The caller removes it with {@link #deleteTemporaryDirectory};
     * one left by a killed process stays until a garbage collection removes it, which it may do as
     * soon as the process is gone.
     */
    public Path createTemporaryDirectory(String purpose) throws IOException {
        return temp.createDirectory(purpose);
    }

    /**
     * Removes a directory made by {@link #createTemporaryDirectory} with everything in it. Links
     * inside are removed, never followed; read-only directories are made writable first.
     *
     * @throws IllegalArgumentException for a path that is not such a directory
     */
    public void deleteTemporaryDirectory(Path dir) throws IOException {
        temp.deleteDirectory(dir);
    }

    // ---- for garbage collection (StoreMaintenance) ----------------------------------------------

    Blobs blobFiles() {
        return blobs;
    }

    Tags tagIndex() {
        return tags;
    }

    CacheRecords cacheRecords() {
        return records;
    }

    TempSpace tempSpace() {
        return temp;
    }
}

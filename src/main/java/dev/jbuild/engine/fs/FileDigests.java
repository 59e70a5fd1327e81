package dev.jbuild.engine.fs;

import dev.jbuild.image.Digester;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 digests of host files (context files, bind-mount sources), remembered in the store's
 * {@code cache/files} by absolute path together with size, mtime, ctime (nanoseconds), inode and
 * device: a file whose stat data are unchanged is not read again, so a warm build hashes nothing.
 * Any change of content changes ctime, even when mtime is set back ({@code touch -d}), so a stale
 * digest needs a file rewritten with the same size within the same ctime tick; as git does against
 * that race, files changed within the last two seconds are never remembered.
 *
 * <p>The file is replaced atomically at the end of a build; concurrent builds may drop each
 * other's new entries (it is only a cache), never corrupt it. Unreadable lines are ignored.
 */
public final class FileDigests {

    static final String CACHE_FILE = "files";
    private static final int MAX_ENTRIES = 250_000;
    private static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private record Stat(long size, long mtime, long ctime, long inode, long device) {}

    private record Known(Stat stat, String digest) {}

    private final Store store;
    private Map<String, Known> known;
    private final Map<String, Known> used = new HashMap<>();
    private boolean changed;

    public FileDigests(Store store) {
        this.store = store;
    }

    /**
     * The content digest (hex) of a regular file, from the cache when its stat data are unchanged.
     * Stages run concurrently: the memo is read and updated under the lock, the hashing is done
     * outside it so that stages hashing different files do not wait for each other.
     */
    public String digest(Path file) throws IOException {
        String path = file.toAbsolutePath().toString();
        Stat stat = stat(file);
        synchronized (this) {
            load();
            Known entry = known.get(path);
            if (entry != null && entry.stat().equals(stat)) {
                used.put(path, entry);
                return entry.digest();
            }
        }
        String digest = hash(file);
        long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        if (stat != null && now - stat.mtime() > RACY_NANOS && now - stat.ctime() > RACY_NANOS
                && stat.equals(stat(file)) && path.indexOf('\n') < 0 && path.indexOf('\t') < 0) {
            Known fresh = new Known(stat, digest);
            synchronized (this) {
                known.put(path, fresh);
                used.put(path, fresh);
                changed = true;
            }
        }
        return digest;
    }

    /** Writes the cache back when this build learnt something. */
    public synchronized void save() throws IOException {
        if (!changed) {
            return;
        }
        Map<String, Known> keep = known.size() > MAX_ENTRIES ? used : known;
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Known> e : new TreeMap<>(keep).entrySet()) {
            Stat s = e.getValue().stat();
            text.append(e.getValue().digest()).append('\t').append(s.size()).append('\t').append(s.mtime())
                    .append('\t').append(s.ctime()).append('\t').append(s.inode()).append('\t').append(s.device())
                    .append('\t').append(e.getKey()).append('\n');
        }
        store.writeCacheFile(CACHE_FILE, text.toString().getBytes(StandardCharsets.UTF_8));
        changed = false;
    }

    private void load() {
        if (known != null) {
            return;
        }
        known = new HashMap<>();
        try {
            String text = store.readCacheFile(CACHE_FILE).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
            for (String line : text.split("\n")) {
                String[] f = line.split("\t", 7);
                if (f.length != 7 || !f[0].matches("[0-9a-f]{64}")) {
                    continue;
                }
                try {
                    known.put(f[6], new Known(new Stat(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5])), f[0]));
                } catch (NumberFormatException e) {
                    // a damaged line: hash that file again
                }
            }
        } catch (IOException e) {
            // an unreadable cache is an empty one
        }
    }

    private static Stat stat(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino,dev",
                    LinkOption.NOFOLLOW_LINKS);
            return new Stat((Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                    nanos((FileTime) a.get("ctime")), (Long) a.get("ino"), (Long) a.get("dev"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null; // no unix view: always hash
        }
    }

    private static long nanos(FileTime time) {
        Instant instant = time.toInstant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    static String hash(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return hash(in);
        }
    }

    public static String hash(InputStream in) throws IOException {
        Digester digest = Digester.sha256();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return digest.digest().hex();
    }
}

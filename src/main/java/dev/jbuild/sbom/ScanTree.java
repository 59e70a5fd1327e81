package dev.jbuild.sbom;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RootedResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the catalogers see of a {@link RootFiles}: its entries (the one list the scan keeps in memory),
 * sorted by path, found by path, links resolved inside the tree, and bounded reads of small files.
 */
final class ScanTree {

    private final RootFiles files;
    private final List<RootFiles.Entry> entries;
    private final Map<String, RootFiles.Entry> byPath;
    private final List<String> warnings = new ArrayList<>();

    private ScanTree(RootFiles files, List<RootFiles.Entry> entries) {
        this.files = files;
        entries.sort((a, b) -> LayerPaths.ORDER.compare(a.path(), b.path()));
        this.entries = Collections.unmodifiableList(entries);
        this.byPath = new HashMap<>(entries.size() * 2);
        for (RootFiles.Entry entry : entries) {
            byPath.put(entry.path(), entry);
        }
    }

    static ScanTree of(RootFiles files) throws IOException {
        List<RootFiles.Entry> entries = new ArrayList<>();
        files.walk(entries::add);
        return new ScanTree(files, entries);
    }

    /** Every entry, in path order. */
    List<RootFiles.Entry> entries() {
        return entries;
    }

    /** The entry at exactly {@code path} (absolute), a link there not followed. */
    Optional<RootFiles.Entry> entry(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /**
     * The entry {@code path} leads to, every link on the way and in the last component followed inside
     * the tree ({@link RootedResolver}'s rules: {@code /etc/os-release -> ../usr/lib/os-release} stays in
     * the root whatever the number of {@code ..}).
     */
    Optional<RootFiles.Entry> resolve(String path) throws IOException {
        RootedResolver.Root root = relative -> {
            if (relative.isEmpty()) {
                return RootedResolver.Entry.DIRECTORY;
            }
            RootFiles.Entry entry = byPath.get("/" + relative);
            if (entry == null) {
                return RootedResolver.Entry.MISSING;
            }
            return switch (entry.kind()) {
                case DIRECTORY -> RootedResolver.Entry.DIRECTORY;
                case SYMLINK -> new RootedResolver.Entry.Symlink(entry.linkTarget());
                default -> RootedResolver.Entry.OTHER;
            };
        };
        Optional<RootedResolver.Resolved> resolved = RootedResolver.lookup(root, path, true);
        return resolved.map(r -> byPath.get(LayerPaths.absolute(r.path())));
    }

    /** Something the scan could not read, for the user: the file and why (the scan goes on). */
    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    InputStream open(RootFiles.Entry entry) throws IOException {
        return files.open(entry.path());
    }

    /**
     * The text of a small regular file (UTF-8, malformed bytes replaced), followed through links, or
     * empty when it is missing, not a regular file, or larger than {@code limit} bytes.
     */
    Optional<String> readText(String path, int limit) throws IOException {
        Optional<RootFiles.Entry> entry = resolve(path);
        if (entry.isEmpty() || !entry.get().isRegular() || entry.get().size() > limit) {
            return Optional.empty();
        }
        try (InputStream in = open(entry.get())) {
            return Optional.of(new String(readBounded(in, limit), StandardCharsets.UTF_8));
        }
    }

    /** At most {@code limit} bytes of a stream (the rest is left unread). */
    static byte[] readBounded(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while (total < limit && (n = in.read(buffer, 0, Math.min(buffer.length, limit - total))) > 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return out.toByteArray();
    }
}

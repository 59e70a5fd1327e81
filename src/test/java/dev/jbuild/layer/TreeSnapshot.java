package dev.jbuild.layer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Everything observable about a tree (types, modes, owners, mtimes, contents, link targets), for comparison. */
final class TreeSnapshot {
    private TreeSnapshot() {
    }

    /** Snapshot of {@code dir}, skipping the subtree at {@code exclude} (may be null). */
    static Map<String, String> of(Path dir, Path exclude) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (exclude != null && p.startsWith(exclude)) {
                    continue;
                }
                out.put(dir.relativize(p).toString(), describe(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,nlink,size",
                LinkOption.NOFOLLOW_LINKS);
        StringBuilder sb = new StringBuilder();
        sb.append("mode=0").append(Integer.toOctalString((Integer) a.get("mode")))
                .append(" owner=").append(a.get("uid")).append(':').append(a.get("gid"))
                .append(" nlink=").append(a.get("nlink"));
        if (Files.isSymbolicLink(p)) {
            sb.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            sb.append(" mtime=").append(a.get("lastModifiedTime"));
            sb.append(" sha=").append(sha(Files.readAllBytes(p)));
        }
        return sb.toString();
    }

    static String sha(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.jbuild.export;

import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A file tree described path by path ("file 0755 0:0 &lt;sha256&gt;", "dir 0750 1000:1000",
 * "symlink 0777 0:0 -&gt; target"), the same way for a directory on disk and for a tar, so the
 * outputs can be compared with each other and with {@link TestImages#expectedTree()}. Hard links
 * are described as the file they share; which paths share an inode is kept apart in
 * {@link #links}, xattrs in {@link #xattrs}, mtimes in {@link #mtimes}.
 */
record TreeView(Map<String, String> entries, Map<String, String> links, Map<String, Map<String, String>> xattrs,
        Map<String, Instant> mtimes) {

    /** Everything below {@code root} (not the root itself). */
    static TreeView ofDirectory(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Map<String, String> links = new TreeMap<>();
        Map<String, Map<String, String>> xattrs = new TreeMap<>();
        Map<String, Instant> mtimes = new TreeMap<>();
        Map<Object, String> firstPathOfInode = new HashMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.equals(root)).sorted().toList();
        }
        for (Path p : paths) {
            String rel = root.relativize(p).toString();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,nlink,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            String owner = a.get("uid") + ":" + a.get("gid");
            String mode = String.format("%04o", (Integer) a.get("mode") & 07777);
            mtimes.put(rel, ((FileTime) a.get("lastModifiedTime")).toInstant());
            if (Files.isSymbolicLink(p)) {
                entries.put(rel, "symlink " + mode + " " + owner + " -> " + Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                entries.put(rel, "dir " + mode + " " + owner);
            } else {
                entries.put(rel, "file " + mode + " " + owner + " " + sha(Files.readAllBytes(p)));
                if ((Integer) a.get("nlink") > 1) {
                    String first = firstPathOfInode.putIfAbsent(a.get("ino"), rel);
                    if (first != null) {
                        links.put(rel, first);
                    }
                }
            }
            Map<String, String> x = userXattrs(p);
            if (!x.isEmpty()) {
                xattrs.put(rel, x);
            }
        }
        return new TreeView(entries, links, xattrs, mtimes);
    }

    /** The entries of a tar (any compression LayerReader knows), whiteouts shown as "whiteout". */
    static TreeView ofTar(InputStream tar) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Map<String, String> links = new TreeMap<>();
        Map<String, Map<String, String>> xattrs = new TreeMap<>();
        Map<String, Instant> mtimes = new TreeMap<>();
        List<String> order = new ArrayList<>();
        LayerReader.read(tar, (entry, content) -> {
            String path = entry.path();
            String mode = String.format("%04o", entry.attributes().mode());
            String owner = entry.attributes().uid() + ":" + entry.attributes().gid();
            if (entries.containsKey(path)) {
                throw new AssertionError("duplicate tar entry " + path);
            }
            order.add(path);
            mtimes.put(path, entry.attributes().mtime());
            if (entry instanceof LayerEntry.Directory) {
                entries.put(path, "dir " + mode + " " + owner);
            } else if (entry instanceof LayerEntry.RegularFile) {
                entries.put(path, "file " + mode + " " + owner + " " + sha(content.readAllBytes()));
            } else if (entry instanceof LayerEntry.Symlink s) {
                entries.put(path, "symlink " + mode + " " + owner + " -> " + s.target());
            } else if (entry instanceof LayerEntry.Hardlink h) {
                String target = entries.get(h.target());
                if (target == null) {
                    throw new AssertionError("hard link " + path + " to " + h.target() + ", which comes later or not at all");
                }
                entries.put(path, target);
                links.put(path, h.target());
            } else if (entry instanceof LayerEntry.Whiteout || entry instanceof LayerEntry.OpaqueWhiteout) {
                entries.put(path + " (whiteout)", "whiteout");
            } else {
                entries.put(path, entry.getClass().getSimpleName() + " " + mode + " " + owner);
            }
            Map<String, String> x = new TreeMap<>();
            entry.attributes().xattrs().forEach((k, v) -> x.put(k, HexFormat.of().formatHex(v)));
            if (!x.isEmpty()) {
                xattrs.put(path, x);
            }
        });
        List<String> sorted = new ArrayList<>(order);
        // Names are bytes (RawNames): UTF-8 text, escapes as the bytes they stand for.
        sorted.sort((x, y) -> Arrays.compareUnsigned(
                RawNames.encode(x.replace('/', '\0')), RawNames.encode(y.replace('/', '\0'))));
        if (!sorted.equals(order)) {
            throw new AssertionError("tar entries are not in sorted order: " + order);
        }
        return new TreeView(entries, links, xattrs, mtimes);
    }

    private static Map<String, String> userXattrs(Path p) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (Files.isSymbolicLink(p)) {
            return out;
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        for (String name : view.list()) {
            ByteBuffer buffer = ByteBuffer.allocate(view.size(name));
            view.read(name, buffer);
            out.put("user." + name, HexFormat.of().formatHex(buffer.array(), 0, buffer.position()));
        }
        return out;
    }

    static String sha(String text) {
        return sha(text.getBytes(StandardCharsets.UTF_8));
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

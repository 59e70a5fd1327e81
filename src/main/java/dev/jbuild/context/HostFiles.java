package dev.jbuild.context;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reads the metadata of one host file, never following a symbolic link. */
final class HostFiles {

    /** Only what a copy needs: "unix:*" would also look up user and group names. */
    private static final String UNIX_ATTRIBUTES = "unix:mode,uid,gid,ino,dev,size,lastModifiedTime";

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    /** Same inode: what hard links share. */
    record InodeKey(long dev, long ino) {}

    private HostFiles() {}

    /** The entry at {@code host}, described as living at {@code treePath}; empty when absent. */
    static Optional<SourceFile> read(Path host, String treePath) throws IOException {
        try {
            return Optional.of(readExisting(host, treePath));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        }
    }

    private static SourceFile readExisting(Path host, String treePath) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(host, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return readPortable(host, treePath);
        }
        int rawMode = (Integer) unix.get("mode");
        FileKind kind = kindOf(rawMode);
        return new SourceFile(
                treePath,
                kind,
                rawMode,
                Integer.toUnsignedLong((Integer) unix.get("uid")),
                Integer.toUnsignedLong((Integer) unix.get("gid")),
                kind == FileKind.FILE ? (Long) unix.get("size") : 0,
                ((FileTime) unix.get("lastModifiedTime")).toInstant(),
                kind == FileKind.SYMLINK ? Files.readSymbolicLink(host).toString() : null,
                kind == FileKind.SYMLINK ? Map.of() : userXattrs(host),
                new InodeKey((Long) unix.get("dev"), (Long) unix.get("ino")));
    }

    /** Where there is no "unix" view: POSIX permissions only, ids unknown (0). */
    private static SourceFile readPortable(Path host, String treePath) throws IOException {
        PosixFileAttributes a = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        FileKind kind = a.isDirectory() ? FileKind.DIRECTORY
                : a.isRegularFile() ? FileKind.FILE
                : a.isSymbolicLink() ? FileKind.SYMLINK
                : FileKind.OTHER;
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) {
            mode |= 0400 >> p.ordinal(); // the enum is declared owner-read first, others-execute last
        }
        return new SourceFile(treePath, kind, mode, 0, 0, kind == FileKind.FILE ? a.size() : 0,
                a.lastModifiedTime().toInstant(),
                kind == FileKind.SYMLINK ? Files.readSymbolicLink(host).toString() : null,
                kind == FileKind.SYMLINK ? Map.of() : userXattrs(host), a.fileKey());
    }

    static FileKind kindOf(int rawMode) {
        switch (rawMode & S_IFMT) {
            case S_IFDIR:
                return FileKind.DIRECTORY;
            case S_IFREG:
                return FileKind.FILE;
            case S_IFLNK:
                return FileKind.SYMLINK;
            default:
                return FileKind.OTHER;
        }
    }

    /**
     * The {@code user.*} extended attributes, the only namespace Java can read. Best effort, as in
     * BuildKit: a filesystem without them, or a file we may not open, just has none.
     */
    private static Map<String, byte[]> userXattrs(Path host) {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(host, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Map.of();
        }
        try {
            Map<String, byte[]> out = new TreeMap<>();
            for (String name : view.list()) {
                ByteBuffer value = ByteBuffer.allocate(view.size(name));
                view.read(name, value);
                out.put("user." + name, value.array());
            }
            return out;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Map.of();
        }
    }
}

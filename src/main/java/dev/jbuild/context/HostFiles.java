package dev.jbuild.context;

import dev.jbuild.layer.DirectoryWalker;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;

/** Reads the metadata of one host file, never following a symbolic link. */
final class HostFiles {

    /** Only what a copy needs: "unix:*" would also look up user and group names. */
    private static final String UNIX_ATTRIBUTES = "unix:mode,uid,gid,ino,dev,rdev,size,lastModifiedTime";

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

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
        FileKind kind = kindOf(rawMode, host);
        long rdev = (Long) unix.get("rdev");
        return new SourceFile(
                treePath,
                kind,
                rawMode,
                Integer.toUnsignedLong((Integer) unix.get("uid")),
                Integer.toUnsignedLong((Integer) unix.get("gid")),
                kind == FileKind.FILE ? (Long) unix.get("size") : 0,
                ((FileTime) unix.get("lastModifiedTime")).toInstant(),
                kind == FileKind.SYMLINK ? RawNames.pathText(Files.readSymbolicLink(host)) : null,
                xattrs(host, kind),
                new InodeKey((Long) unix.get("dev"), (Long) unix.get("ino")),
                kind.isDevice() ? new SourceFile.Device(DirectoryWalker.major(rdev), DirectoryWalker.minor(rdev)) : null);
    }

    /** Where there is no "unix" view: POSIX permissions only, ids unknown (0). */
    private static SourceFile readPortable(Path host, String treePath) throws IOException {
        PosixFileAttributes a = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isOther()) {
            // Without the unix view a FIFO cannot be told from a device or a socket.
            throw new IOException(treePath + ": cannot tell what kind of special file this is");
        }
        FileKind kind = a.isDirectory() ? FileKind.DIRECTORY
                : a.isRegularFile() ? FileKind.FILE
                : FileKind.SYMLINK;
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) {
            mode |= 0400 >> p.ordinal(); // the enum is declared owner-read first, others-execute last
        }
        return new SourceFile(treePath, kind, mode, 0, 0, kind == FileKind.FILE ? a.size() : 0,
                a.lastModifiedTime().toInstant(),
                kind == FileKind.SYMLINK ? RawNames.pathText(Files.readSymbolicLink(host)) : null,
                xattrs(host, kind), a.fileKey());
    }

    private static FileKind kindOf(int rawMode, Path host) throws IOException {
        return switch (rawMode & S_IFMT) {
            case S_IFDIR -> FileKind.DIRECTORY;
            case S_IFREG -> FileKind.FILE;
            case S_IFLNK -> FileKind.SYMLINK;
            case S_IFIFO -> FileKind.FIFO;
            case S_IFCHR -> FileKind.CHARACTER_DEVICE;
            case S_IFBLK -> FileKind.BLOCK_DEVICE;
            case S_IFSOCK -> FileKind.SOCKET;
            default -> throw new IOException("unknown file type 0" + Integer.toOctalString(rawMode & S_IFMT) + ": " + host);
        };
    }

    /**
     * The {@code user.*} extended attributes of files and directories only: the JDK opens a file to
     * read them, which blocks on a FIFO until a writer comes and can act on a device.
     */
    private static Map<String, byte[]> xattrs(Path host, FileKind kind) {
        return kind == FileKind.FILE || kind == FileKind.DIRECTORY ? DirectoryWalker.userXattrs(host) : Map.of();
    }
}

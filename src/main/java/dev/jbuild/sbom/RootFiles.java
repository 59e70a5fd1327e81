package dev.jbuild.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The merged, read-only file tree of an image or a stage, as the scanner reads it: one walk over its
 * entries and reading a regular file's content by path. Implementations stream: the walk hands out one
 * entry at a time and {@link #open} one file at a time; the scanner keeps only the list of entries.
 *
 * <p>Symbolic links are reported as entries, never followed by the implementation; the scanner resolves
 * the few it follows (such as {@code /etc/os-release}) itself, inside the tree.
 */
public interface RootFiles {

    /** What an entry is. Hard links are {@link #REGULAR} (each name with the content). */
    enum Kind {
        REGULAR,
        DIRECTORY,
        SYMLINK,
        /** Devices, fifos, sockets: listed, never read. */
        OTHER
    }

    /**
     * One entry of the tree.
     *
     * @param path       absolute and normalised: {@code /usr/lib/x.jar} ({@code /} is not an entry)
     * @param mode       permission bits (and set-id/sticky bits), {@code 07777} at most
     * @param size       content size of a regular file, 0 otherwise
     * @param linkTarget a symbolic link's target as stored, otherwise null
     */
    record Entry(String path, Kind kind, int mode, long size, String linkTarget) {

        public boolean isRegular() {
            return kind == Kind.REGULAR;
        }

        /** A regular file someone may execute. */
        public boolean isExecutable() {
            return kind == Kind.REGULAR && (mode & 0111) != 0;
        }

        /** The last path component. */
        public String name() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    /** Receives the entries of a walk. */
    @FunctionalInterface
    interface Visitor {
        void visit(Entry entry) throws IOException;
    }

    /** Every entry of the tree once, in any order. */
    void walk(Visitor visitor) throws IOException;

    /**
     * The content of the regular file at exactly {@code path} (an {@link Entry#path} the walk gave,
     * no symbolic link followed). The caller closes it and may stop reading at any point.
     */
    InputStream open(String path) throws IOException;

    /**
     * A host directory as the tree (tests, an unpacked rootfs). Entries are read without following
     * symbolic links, and {@link #open} refuses a path whose components are not plain directories and a
     * regular file, so nothing outside {@code root} is ever read.
     */
    static RootFiles directory(Path root) {
        return new DirectoryRootFiles(root);
    }
}

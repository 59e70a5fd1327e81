package dev.jbuild.context;

/**
 * What a {@link SourceFile} is, as far as copying it into an image is concerned. Only {@link #FILE}s
 * are ever opened: opening a FIFO blocks until a writer comes, and opening a device can act on it.
 */
public enum FileKind {
    FILE,
    DIRECTORY,
    SYMLINK,
    /** A named pipe: copied as a FIFO entry, as BuildKit's context transfer does. */
    FIFO,
    /** Copied as a device entry with its numbers ({@link SourceFile#device}). */
    CHARACTER_DEVICE,
    /** Copied as a device entry with its numbers ({@link SourceFile#device}). */
    BLOCK_DEVICE,
    /** A Unix socket: tar has no type for it, so copies leave it out. */
    SOCKET;

    /** Whether this is a device node, which then has {@link SourceFile#device} numbers. */
    boolean isDevice() {
        return this == CHARACTER_DEVICE || this == BLOCK_DEVICE;
    }
}

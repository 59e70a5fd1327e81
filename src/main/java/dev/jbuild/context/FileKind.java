package dev.jbuild.context;

/** What a {@link SourceFile} is, as far as copying it into an image is concerned. */
public enum FileKind {
    FILE,
    DIRECTORY,
    SYMLINK,
    /** Devices, FIFOs and sockets: never opened, copied (if at all) by their metadata. */
    OTHER
}

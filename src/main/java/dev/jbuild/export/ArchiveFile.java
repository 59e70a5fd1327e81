package dev.jbuild.export;

import dev.jbuild.store.FileErrors;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where an archive goes: a file, written to a temporary file beside it and renamed into place so a
 * failed export never leaves half an archive under the name a pipeline expects; or standard output.
 * A destination is what the user's shell would write to, as buildx's {@code os.Create} does: a
 * symbolic link is written through (the file it names is replaced, the link stays), and a device, a
 * FIFO or a socket is written into directly ({@code -o /dev/stdout}, {@code -o /dev/null}, a named
 * pipe a reader waits on), since renaming over one would only replace it by a file nobody reads.
 */
public final class ArchiveFile {

    /** Linux's limit on links followed in one path (MAXSYMLINKS), so a loop ends as the kernel's would. */
    private static final int MAX_LINKS = 40;

    /** Writes the archive's bytes. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private ArchiveFile() {}

    /** @param dest the file, or null for standard output */
    public static void write(Path dest, Writer writer) throws IOException {
        if (dest == null) {
            OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
            writer.write(stdout);
            stdout.flush();
            return;
        }
        Path absolute = dest.toAbsolutePath();
        Path temporary = null;
        try {
            BasicFileAttributes opened = attributes(absolute);
            Path target = linkTarget(absolute);
            if (target == null || opened != null && opened.isOther()) {
                // Not a file a rename can replace, or a name only the kernel can follow (/dev/stdout to a
                // pipe, a terminal, a file the shell opened): write into what opening the name gives,
                // streamed, so a failure leaves nothing of ours to remove.
                writeInto(absolute, writer);
                return;
            }
            Files.createDirectories(target.getParent());
            temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16)) {
                writer.write(out);
            }
            // Temporary files are private; the archive is an ordinary file for the user's tools.
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            // Onto the link's target, not the link: a directory destination still fails here, as before.
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // A full store (a spool file, a download) was named by the store; anything else is the destination's.
            IOException worded = NoSpaceLeftException.forDestination(e, temporary != null ? temporary : absolute, absolute);
            if (worded == e && e instanceof FileSystemException file && FileErrors.reason(file) != null
                    && (temporary == null || temporary.toString().equals(file.getFile()))) {
                // Not the name of our temporary file, which the user never asked for: the destination's.
                throw new IOException("cannot write " + absolute + ": " + FileErrors.reason(file), e);
            }
            throw worded;
        } finally {
            if (temporary != null) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * Opens {@code file} for writing as it is: not created (it existed a moment ago; one that vanished is
     * not ours to make) and truncated, which a device or FIFO ignores and a regular file behind a
     * {@code /proc} link needs.
     */
    private static void writeInto(Path file, Writer writer) throws IOException {
        try (OutputStream out = new BufferedOutputStream(
                Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), 1 << 16)) {
            writer.write(out);
        }
    }

    /**
     * The name at the end of {@code path}'s chain of symbolic links, each relative link taken from its
     * own directory: the file to replace, or to create when the last link dangles. Not normalised, so
     * {@code ..} after a linked directory is left to the kernel, which resolves it from the real one.
     * Null at a link of {@code /proc} ({@code /dev/stdout} is one to {@code /proc/self/fd/1}): what such a
     * "magic link" holds describes an open file ({@code pipe:[…]}, or a path that may since have been
     * removed or replaced), it is not a path to the file.
     */
    private static Path linkTarget(Path path) throws IOException {
        Path current = path;
        for (int links = 0; Files.isSymbolicLink(current); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
            }
            if ("proc".equals(Files.getFileStore(current.getParent()).type())) {
                return null;
            }
            current = current.getParent().resolve(Files.readSymbolicLink(current));
        }
        return current;
    }

    /** {@code path}'s attributes with links followed, or null when nothing is there (or a link dangles). */
    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

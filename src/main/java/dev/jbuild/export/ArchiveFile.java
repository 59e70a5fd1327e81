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
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where an archive goes: a file, written to a temporary file beside it and renamed into place so a
 * failed export never leaves half an archive under the name a pipeline expects; or standard output.
 */
public final class ArchiveFile {

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
            Files.createDirectories(absolute.getParent());
            temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".partial");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16)) {
                writer.write(out);
            }
            // Temporary files are private; the archive is an ordinary file for the user's tools.
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
}

package dev.jbuild.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class BuildExceptionTest {

    @Test
    void aMessageEndingInTheBarePathOfAFileErrorSaysWhatWentWrong() {
        AccessDeniedException denied = new AccessDeniedException("/ctx/secret");
        assertEquals("COPY failed: /ctx/secret: permission denied",
                new BuildException(null, "COPY failed: " + denied.getMessage(), denied).getMessage());
        // Through wrappers too, as long as the message ends in the path.
        assertEquals("/out: no such file or directory", new BuildException(null, "/out",
                new IOException(new UncheckedIOException(new NoSuchFileException("/out")))).getMessage());
    }

    @Test
    void messagesThatAlreadyCarryAReasonAreKept() {
        FileSystemException withReason = new FileSystemException("/a", null, "Read-only file system");
        assertEquals("x: /a: Read-only file system", new BuildException(null, "x: " + withReason.getMessage(), withReason).getMessage());
        AccessDeniedException denied = new AccessDeniedException("/ctx/secret");
        assertEquals("cannot read the context", new BuildException(null, "cannot read the context", denied).getMessage());
        assertEquals("plain", new BuildException(null, "plain").getMessage());
    }
}

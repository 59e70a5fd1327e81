package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class FileErrorsTest {

    @Test
    void aMessageEndingInTheBarePathOfAFileErrorSaysWhatWentWrong() {
        AccessDeniedException denied = new AccessDeniedException("/ctx/secret");
        assertEquals("COPY failed: /ctx/secret: permission denied",
                FileErrors.withReason("COPY failed: " + denied.getMessage(), denied));
        // Through wrappers too, as long as the message ends in the path.
        assertEquals("/out: no such file or directory", FileErrors.withReason("/out",
                new IOException(new UncheckedIOException(new NoSuchFileException("/out")))));
    }

    @Test
    void aPathInTheMiddleOfAMessageGetsItsReasonAfterIt() {
        AccessDeniedException denied = new AccessDeniedException("/s/index.json.lock");
        assertEquals("cannot open the image store at /s: /s/index.json.lock: permission denied (use --root DIR)",
                FileErrors.withReason("cannot open the image store at /s: /s/index.json.lock (use --root DIR)", denied));
        assertEquals("x /s/index.json.lock: permission denied", FileErrors.withReason("x /s/index.json.lock: permission denied", denied));
    }

    @Test
    void messagesThatAlreadyCarryAReasonAreKept() {
        FileSystemException withReason = new FileSystemException("/a", null, "Read-only file system");
        assertEquals("x: /a: Read-only file system", FileErrors.withReason("x: " + withReason.getMessage(), withReason));
        assertEquals("Read-only file system", FileErrors.reason(withReason));
        AccessDeniedException denied = new AccessDeniedException("/ctx/secret");
        assertEquals("cannot read the context", FileErrors.withReason("cannot read the context", denied));
        assertEquals("plain", FileErrors.withReason("plain", null));
    }
}

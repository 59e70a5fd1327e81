package dev.jbuild.export;

import java.io.IOException;

/**
 * An image cannot be written out or read in: a blob is missing or damaged, a reference matches
 * nothing (or too much), a destination is unusable. The message says which image, blob or path
 * and what to do; callers print it as is.
 */
public final class ExportException extends IOException {

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}

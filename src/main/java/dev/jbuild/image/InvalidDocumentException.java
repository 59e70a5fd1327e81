package dev.jbuild.image;

import java.io.IOException;

/**
 * A manifest, index or config that cannot be used: not JSON, the wrong shape, an unknown or
 * unsupported media type (Docker schema 1). The message is meant for the user.
 */
public final class InvalidDocumentException extends IOException {

    private static final long serialVersionUID = 1L;

    public InvalidDocumentException(String message) {
        super(message);
    }

    public InvalidDocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}

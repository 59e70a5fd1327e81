package dev.jbuild.registry;

import java.io.IOException;

/**
 * A failure of local I/O (reading content to push, writing a downloaded blob) during a transfer:
 * never retried, since trying the network again cannot fix a full disk or a missing file.
 */
final class LocalIOException extends IOException {

    private static final long serialVersionUID = 1L;

    LocalIOException(IOException cause) {
        super(cause.getMessage(), cause);
    }

    LocalIOException(String message) {
        super(message);
    }
}

package dev.jbuild.registry;

import java.io.IOException;

/** A response body delivered no bytes for longer than the read timeout. Retried. */
final class TransferStalledException extends IOException {

    private static final long serialVersionUID = 1L;

    TransferStalledException(String message) {
        super(message);
    }
}

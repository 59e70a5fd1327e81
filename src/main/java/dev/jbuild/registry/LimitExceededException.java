package dev.jbuild.registry;

import java.io.IOException;

/** A response is larger than jbuild accepts for what it is (a manifest, a config): never retried. */
final class LimitExceededException extends IOException {

    private static final long serialVersionUID = 1L;

    LimitExceededException(String message) {
        super(message);
    }
}

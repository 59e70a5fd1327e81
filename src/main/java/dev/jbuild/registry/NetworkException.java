package dev.jbuild.registry;

import java.io.IOException;

/**
 * A request that got no HTTP answer: its host name did not resolve, the connection was refused,
 * timed out or broke. The message is {@code METHOD URL: cause} (e.g.
 * {@code GET https://registry-1.docker.io/v2/: connection refused}), so that a registry that cannot
 * be reached is always named with what was tried and why. Whether another attempt can help is
 * decided where the cause is known: a name that does not resolve will not resolve a second later.
 */
final class NetworkException extends IOException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    NetworkException(String message, boolean retryable, IOException cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}

package dev.jbuild.dockerfile;

/** A {@code RUN --mount} value that BuildKit's rules reject; the message is BuildKit's. */
public final class InvalidMountException extends Exception {

    private static final long serialVersionUID = 1L;

    InvalidMountException(String message) {
        super(message);
    }
}

package dev.jbuild.image;

import java.io.IOException;

/**
 * Content did not match the descriptor that named it: wrong digest or wrong size. Raised while
 * streaming, so corrupt or tampered content is never stored or used.
 */
public final class DigestMismatchException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Digest expected;
    private final Digest actual;

    public DigestMismatchException(String message, Digest expected, Digest actual) {
        super(message);
        this.expected = expected;
        this.actual = actual;
    }

    /** Digest mismatch of fully read content. */
    public static DigestMismatchException digest(Digest expected, Digest actual) {
        return new DigestMismatchException(
                "content digest mismatch: expected " + expected + ", got " + actual, expected, actual);
    }

    /** Size mismatch ({@code expected} may be null when only the size was known); an {@code actualSize} above {@code expectedSize} reads as "more than expected". */
    public static DigestMismatchException size(Digest expected, long expectedSize, long actualSize) {
        return new DigestMismatchException(
                "content size mismatch" + (expected == null ? "" : " for " + expected) + ": expected " + expectedSize + " bytes, got "
                        + (actualSize > expectedSize ? "more than " + expectedSize : String.valueOf(actualSize)),
                expected,
                null);
    }

    public Digest expected() {
        return expected;
    }

    /** The digest of what was received; null when the size was already wrong. */
    public Digest actual() {
        return actual;
    }
}

package dev.jbuild.dockerfile;

/** A word that cannot be expanded: bad substitution, unterminated quote, {@code ${X:?msg}} on unset X. */
public final class ShellExpansionException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean limitExceeded;

    public ShellExpansionException(String message) {
        this(message, false);
    }

    ShellExpansionException(String message, boolean limitExceeded) {
        super(message);
        this.limitExceeded = limitExceeded;
    }

    /**
     * Whether the word breaks one of jbuild's input limits ({@link ShellWords#MAX_SUBSTITUTION_DEPTH}):
     * then no values of the variables can make it expand, so callers that expand early and leniently
     * (with only part of the environment known) must report it rather than wait for the full one.
     */
    public boolean limitExceeded() {
        return limitExceeded;
    }
}

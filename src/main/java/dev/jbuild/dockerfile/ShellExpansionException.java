package dev.jbuild.dockerfile;

/** A word that cannot be expanded: bad substitution, unterminated quote, {@code ${X:?msg}} on unset X. */
public final class ShellExpansionException extends Exception {

    private static final long serialVersionUID = 1L;

    public ShellExpansionException(String message) {
        super(message);
    }
}

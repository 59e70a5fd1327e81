package dev.jbuild.dockerfile;

/** A word that cannot be expanded: bad substitution, unterminated quote, {@code ${X:?msg}} on unset X. */
public final class ShellExpansionException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean limitExceeded;
    private final String word;
    private final int offset;

    public ShellExpansionException(String message) {
        this(message, false);
    }

    ShellExpansionException(String message, boolean limitExceeded) {
        this(message, limitExceeded, null, -1);
    }

    /**
     * @param word   the word that was expanded, or null
     * @param offset where in it the problem starts (the {@code $} of the substitution, the opening
     *               quote), or -1
     */
    ShellExpansionException(String message, boolean limitExceeded, String word, int offset) {
        super(message);
        this.limitExceeded = limitExceeded;
        this.word = word;
        this.offset = offset;
    }

    /**
     * Whether the word breaks one of jbuild's input limits ({@link ShellWords#MAX_SUBSTITUTION_DEPTH}):
     * then no values of the variables can make it expand, so callers that expand early and leniently
     * (with only part of the environment known) must report it rather than wait for the full one.
     */
    public boolean limitExceeded() {
        return limitExceeded;
    }

    /** The word that could not be expanded, as given to {@link ShellWords}; null when not known. */
    String word() {
        return word;
    }

    /**
     * The character index in {@link #word()} where the problem starts: the {@code $} of the
     * substitution that failed, or the quote that was never closed; -1 when not known.
     */
    public int offset() {
        return offset;
    }

    /** This exception at {@code offset} unless it already has an offset (an inner substitution's is more precise). */
    ShellExpansionException at(int offset) {
        return this.offset >= 0 ? this : new ShellExpansionException(getMessage(), limitExceeded, word, offset);
    }
}

package dev.jbuild.dockerfile;

/**
 * A syntax error found by a helper that does not know where in the file it is working; the
 * caller that knows the instruction's location turns it into a {@link DockerfileSyntaxException}.
 */
final class SyntaxProblem extends Exception {

    private static final long serialVersionUID = 1L;

    /** The text of the source line the problem is about, for a caret under it; null for none. */
    private final String text;

    SyntaxProblem(String message) {
        this(message, null);
    }

    SyntaxProblem(String message, String text) {
        super(message, null, false, false);
        this.text = text;
    }

    /**
     * The 0-based column of {@link #text} in {@code sourceLine}, or -1 when the problem names no text
     * or the line does not hold it (the text is on a continuation line).
     */
    int column(String sourceLine) {
        return text == null || sourceLine == null ? -1 : sourceLine.indexOf(text);
    }
}

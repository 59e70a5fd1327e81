package dev.jbuild.dockerfile;

/**
 * A syntax error found by a helper that does not know where in the file it is working; the
 * caller that knows the instruction's location turns it into a {@link DockerfileSyntaxException}.
 */
final class SyntaxProblem extends Exception {

    private static final long serialVersionUID = 1L;

    /** Where in the instruction's joined text the problem is, for a caret; -1 when nowhere in particular. */
    private final int offset;

    SyntaxProblem(String message) {
        this(message, -1);
    }

    SyntaxProblem(String message, int offset) {
        super(message, null, false, false);
        this.offset = offset;
    }

    int offset() {
        return offset;
    }

    /** This problem with its offset moved by {@code base}, for a helper that worked on part of the text. */
    SyntaxProblem shifted(int base) {
        return offset < 0 ? this : new SyntaxProblem(getMessage(), offset + base);
    }
}

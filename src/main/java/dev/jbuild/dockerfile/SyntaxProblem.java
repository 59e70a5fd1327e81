package dev.jbuild.dockerfile;

/**
 * A syntax error found by a helper that does not know where in the file it is working; the
 * caller that knows the instruction's location turns it into a {@link DockerfileSyntaxException}.
 */
final class SyntaxProblem extends Exception {

    private static final long serialVersionUID = 1L;

    SyntaxProblem(String message) {
        super(message, null, false, false);
    }
}

package dev.jbuild.dockerfile;

/**
 * The frontend's entry point: Dockerfile text in, {@link Dockerfile} out. Directives, comments,
 * continuations, heredocs, JSON vs shell form and instruction flags follow BuildKit's parser.
 */
public final class DockerfileParser {

    private DockerfileParser() {}

    /**
     * Parses a whole Dockerfile.
     *
     * @param text     the file's content
     * @param fileName the name errors show ({@code Dockerfile})
     * @throws DockerfileSyntaxException on any syntax error, with its location
     */
    public static Dockerfile parse(String text, String fileName) throws DockerfileSyntaxException {
        throw new UnsupportedOperationException("not written yet");
    }

    /**
     * Parses one instruction line on its own, as ONBUILD triggers are parsed when they fire.
     */
    public static Instruction parseInstruction(String line, String fileName, int lineNumber, char escape)
            throws DockerfileSyntaxException {
        throw new UnsupportedOperationException("not written yet");
    }
}

package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** Small helpers shared by the parser tests. */
final class Parsing {

    private Parsing() {}

    static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static Dockerfile parse(String... lines) throws DockerfileSyntaxException {
        return DockerfileParser.parse(lines(lines), "Dockerfile");
    }

    static String sexp(String... lines) throws DockerfileSyntaxException {
        return DockerfilePrinter.sexp(DockerfileParser.parseSyntax(lines(lines), "Dockerfile"));
    }

    static DockerfileSyntaxException failure(String... lines) {
        return assertThrows(DockerfileSyntaxException.class, () -> parse(lines));
    }

}

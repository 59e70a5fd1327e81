package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** BuildKit's own parser test files: each positive case prints exactly its result, each negative case fails. */
class ConformanceTest {

    @TestFactory
    Stream<DynamicTest> positiveCasesPrintTheirResult() {
        return Conformance.caseDirectories("testfiles").stream().map(dir -> DynamicTest.dynamicTest(
                dir.getFileName().toString(), () -> {
                    String dockerfile = Conformance.read(dir.resolve("Dockerfile"));
                    String expected = Conformance.read(dir.resolve("result"));
                    SyntaxTree tree = DockerfileParser.parseSyntax(dockerfile, "Dockerfile");
                    assertEquals(expected, DockerfilePrinter.sexp(tree));
                }));
    }

    @TestFactory
    Stream<DynamicTest> negativeCasesAreRejected() {
        return Conformance.caseDirectories("testfiles-negative").stream().map(dir -> DynamicTest.dynamicTest(
                dir.getFileName().toString(), () -> {
                    String dockerfile = Conformance.read(dir.resolve("Dockerfile"));
                    DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
                            () -> DockerfileParser.parse(dockerfile, "Dockerfile"));
                    assertFalse(e.getMessage().isBlank());
                    // the syntax level alone already rejects these
                    assertThrows(DockerfileSyntaxException.class, () -> DockerfileParser.parseSyntax(dockerfile, "Dockerfile"));
                }));
    }

}

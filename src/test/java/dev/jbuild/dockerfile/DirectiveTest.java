package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.failure;
import static dev.jbuild.dockerfile.Parsing.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DirectiveTest {

    @Test
    void directivesAtTheTopAreRecordedWithLowerCaseKeys() throws Exception {
        Dockerfile d = parse("# syntax=docker/dockerfile:1.7", "#ESCAPE = `", "# Check=skip=JSONArgsRecommended",
                "FROM scratch");
        assertEquals(Map.of("syntax", "docker/dockerfile:1.7", "escape", "`", "check", "skip=JSONArgsRecommended"),
                d.directives());
        assertEquals('`', d.escape());
    }

    @Test
    void backtickEscapeChangesContinuationsAndKeepsBackslashLiteral() throws Exception {
        Dockerfile d = parse("# escape=`", "FROM scratch", "RUN dir c:\\ `", "  && echo done");
        assertEquals("dir c:\\   && echo done", ContinuationTest.script(d, 1));
    }

    @Test
    void defaultEscapeIsBackslash() throws Exception {
        Dockerfile d = parse("FROM scratch");
        assertEquals('\\', d.escape());
        assertEquals(Map.of(), d.directives());
    }

    @Test
    void invalidEscapeValueIsAnErrorOnItsLine() {
        DockerfileSyntaxException e = failure("# syntax=x", "# escape=x", "FROM scratch");
        assertEquals("invalid escape token 'x' does not match ` or \\", e.getMessage());
        assertEquals(2, e.location().startLine());
        assertEquals("# escape=x", e.sourceLine());
    }

    @Test
    void repeatedDirectiveIsAnError() {
        DockerfileSyntaxException e = failure("# escape=\\", "# ESCAPE=`", "FROM scratch");
        assertEquals("only one escape parser directive can be used", e.getMessage());
        assertEquals(2, e.location().startLine());
    }

    @Test
    void directiveAfterACommentIsJustAComment() throws Exception {
        Dockerfile d = parse("# a comment", "# escape=`", "FROM scratch", "ENV A b\\", "c");
        assertEquals(Map.of(), d.directives());
        assertEquals('\\', d.escape());
        assertEquals("A", ((Instruction.Env) d.instructions().get(1)).variables().get(0).key());
    }

    @Test
    void directiveAfterABlankLineIsJustAComment() throws Exception {
        Dockerfile d = parse("", "# escape=`", "FROM scratch");
        assertEquals(Map.of(), d.directives());
    }

    @Test
    void unknownDirectiveEndsTheDirectiveRegion() throws Exception {
        Dockerfile d = parse("# foo=bar", "# escape=`", "FROM scratch");
        assertEquals(Map.of(), d.directives());
        // and a repeated directive after the region is not an error either
        parse("# escape=`", "FROM scratch", "# escape=`", "# escape=\\");
    }

    @Test
    void directiveMayHaveLeadingBlanksAndSpacesAroundEquals() throws Exception {
        Dockerfile d = parse("   #   syntax   =   foo/bar  ", "FROM scratch");
        assertEquals(Map.of("syntax", "foo/bar"), d.directives());
    }

    @Test
    void directiveAfterAnInstructionIsAComment() throws Exception {
        Dockerfile d = parse("FROM scratch", "# escape=`");
        assertEquals(Map.of(), d.directives());
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        Dockerfile d = DockerfileParser.parse("\uFEFF# escape=`\nFROM scratch\n", "Dockerfile");
        assertEquals('`', d.escape());
    }
}

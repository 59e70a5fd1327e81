package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.failure;
import static dev.jbuild.dockerfile.Parsing.parse;
import static dev.jbuild.dockerfile.Parsing.sexp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class HeredocTest {

    private static List<Heredoc> heredocs(Dockerfile d, int index) {
        return d.nodes().get(index).heredocs();
    }

    @Test
    void runHeredocBodyIsAttachedAndTheMarkerStaysInTheScript() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN <<EOF", "echo hello", "# not a comment here", "EOF", "CMD x");
        assertEquals(List.of(new Heredoc("EOF", "echo hello\n# not a comment here\n", true, false)), heredocs(d, 1));
        assertEquals("<<EOF", ContinuationTest.script(d, 1));
        assertEquals(new Location("Dockerfile", 2, 5), d.nodes().get(1).location());
        assertEquals(new Location("Dockerfile", 6, 6), d.nodes().get(2).location());
    }

    @Test
    void dashFormStripsLeadingTabsFromBodyAndTerminator() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN <<-EOT", "\tbaz", "\t\tquux", "  spaces stay", "\tEOT");
        assertEquals(List.of(new Heredoc("EOT", "baz\nquux\n  spaces stay\n", true, true)), heredocs(d, 1));
    }

    @Test
    void withoutDashAnIndentedTerminatorIsBody() {
        DockerfileSyntaxException e = failure("FROM scratch", "RUN <<EOT", "\tEOT");
        assertEquals("unterminated heredoc", e.getMessage());
        assertEquals(new Location("Dockerfile", 2, 3), e.location());
    }

    @Test
    void quotedDelimiterDisablesExpansion() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN <<'EOF'", "$A", "EOF", "RUN <<\"EOF\"", "$A", "EOF",
                "RUN <<E\"O\"F", "x", "EOF", "RUN <<eo\\'f", "y", "eo'f");
        assertFalse(heredocs(d, 1).get(0).expand());
        assertFalse(heredocs(d, 2).get(0).expand());
        assertEquals("EOF", heredocs(d, 3).get(0).name());
        assertFalse(heredocs(d, 3).get(0).expand());
        // an escaped quote is part of the name and does not count as quoting
        assertEquals(new Heredoc("eo'f", "y\n", true, false), heredocs(d, 4).get(0));
    }

    @Test
    void severalHeredocsOnOneLineAreReadInOrder() throws Exception {
        Dockerfile d = parse("FROM scratch", "COPY <<X <<Y /dest/", "Y", "X", "X", "Y");
        assertEquals(List.of(new Heredoc("X", "Y\n", true, false), new Heredoc("Y", "X\n", true, false)),
                heredocs(d, 1));
        Instruction.Copy copy = (Instruction.Copy) d.instructions().get(1);
        assertEquals(List.of("<<X", "<<Y"), copy.sources());
        assertEquals("/dest/", copy.destination());
        assertEquals(new Location("Dockerfile", 2, 6), copy.location());
    }

    @Test
    void copyHeredocSourceIsNormalisedToItsName() throws Exception {
        Dockerfile d = parse("FROM scratch", "COPY --chmod=755 <<-'SCRIPT' /run.sh", "\techo hi", "\tSCRIPT");
        Instruction.Copy copy = (Instruction.Copy) d.instructions().get(1);
        assertEquals(List.of("<<SCRIPT"), copy.sources());
        assertEquals("755", copy.chmod());
        assertEquals(new Heredoc("SCRIPT", "echo hi\n", false, true), heredocs(d, 1).get(0));
    }

    @Test
    void heredocAfterACommandWord() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN python3 <<EOF", "print('hi')", "EOF");
        assertEquals("python3 <<EOF", ContinuationTest.script(d, 1));
        assertEquals("print('hi')\n", heredocs(d, 1).get(0).content());
    }

    @Test
    void spacesAfterTheMarkerAreAllowed() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN <<  EOF  > /out", "x", "EOF");
        assertEquals(new Heredoc("EOF", "x\n", true, false), heredocs(d, 1).get(0));
    }

    @Test
    void addAcceptsHeredocsButOtherInstructionsDoNot() throws Exception {
        Dockerfile d = parse("FROM scratch", "ADD <<EOF /a", "x", "EOF", "USER <<NOTHING", "LABEL a=<<B");
        assertEquals(1, heredocs(d, 1).size());
        assertTrue(heredocs(d, 2).isEmpty());
        assertTrue(heredocs(d, 3).isEmpty());
        assertEquals(4, d.nodes().size());
    }

    @Test
    void jsonFormAndQuotedMarkersAreNotHeredocs() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN [\"<<EOF\"]", "RUN '<<EOF'", "RUN echo \"<<EOF\"", "RUN a<<EOF");
        for (int i = 1; i < 5; i++) {
            assertTrue(heredocs(d, i).isEmpty(), "node " + i);
        }
    }

    @Test
    void onbuildTriggerMayCarryHeredocs() throws Exception {
        Dockerfile d = parse("FROM scratch", "ONBUILD RUN <<EOF", "echo built", "EOF");
        Node onbuild = d.nodes().get(1);
        assertEquals(List.of(new Heredoc("EOF", "echo built\n", true, false)), onbuild.heredocs());
        assertEquals(onbuild.heredocs(), onbuild.next().heredocs());
        Instruction.Onbuild instruction = (Instruction.Onbuild) d.instructions().get(1);
        assertEquals("RUN <<EOF\necho built\nEOF", instruction.expression());

        Instruction fired = DockerfileParser.parseInstruction(instruction.expression(), "base-image", 1, '\\');
        Instruction.Run run = (Instruction.Run) fired;
        assertEquals(new Instruction.Command.Shell("<<EOF"), run.command());
        assertEquals(onbuild.heredocs(), run.node().heredocs());
    }

    @Test
    void crlfBodiesKeepTheirLineEndings() throws Exception {
        Dockerfile d = DockerfileParser.parse("FROM scratch\r\nRUN <<EOF\r\necho a\r\nEOF\r\n", "Dockerfile");
        assertEquals("echo a\r\n", heredocs(d, 1).get(0).content());
    }

    @Test
    void bodyWithoutFinalNewlineBeforeEndOfFileIsUnterminated() {
        DockerfileSyntaxException e = assertUnterminated("FROM scratch\nRUN <<EOF\necho a");
        assertEquals(new Location("Dockerfile", 2, 3), e.location());
    }

    @Test
    void terminatorOnLastLineWithoutNewline() throws Exception {
        Dockerfile d = DockerfileParser.parse("FROM scratch\nRUN <<EOF\necho a\nEOF", "Dockerfile");
        assertEquals("echo a\n", heredocs(d, 1).get(0).content());
    }

    @Test
    void heredocAsDestinationIsRejected() {
        assertEquals("COPY cannot accept a heredoc as a destination",
                failure("FROM scratch", "COPY a <<EOF", "x", "EOF").getMessage());
    }

    @Test
    void lineTheLexerCannotSplitHasNoHeredocs() {
        // as in BuildKit: the unmatched quote hides the marker, so "EOF" becomes an instruction
        DockerfileSyntaxException e = failure("FROM scratch", "RUN <<\"EOF x", "EOF");
        assertEquals("unknown instruction: EOF (did you mean ENV?)", e.getMessage());
        assertEquals(3, e.location().startLine());
    }

    @Test
    void delimiterThatCannotBeLexedIsAnError() {
        DockerfileSyntaxException e = failure("FROM scratch", "RUN <<${a:-x y}", "x", "EOF");
        assertEquals("failed to process \"${a:-x\": syntax error: missing '}'", e.getMessage());
        assertEquals(2, e.location().startLine());
    }

    @Test
    void printerLeavesBodiesOut() throws Exception {
        assertEquals("(run \"<<EOF\")\n(cmd \"x\")\n", sexp("RUN <<EOF", "body", "EOF", "CMD x"));
    }

    private static DockerfileSyntaxException assertUnterminated(String text) {
        DockerfileSyntaxException e = Assertions.assertThrows(DockerfileSyntaxException.class,
                () -> DockerfileParser.parse(text, "Dockerfile"));
        assertEquals("unterminated heredoc", e.getMessage());
        return e;
    }
}

package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.parse;
import static dev.jbuild.dockerfile.Parsing.sexp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContinuationTest {

    @Test
    void continuationLinesAreJoinedWithoutSeparator() throws Exception {
        assertEquals("(run \"echo a   b\")\n", sexp("RUN echo a \\", "  b"));
    }

    @Test
    void commentLinesInsideAContinuationAreSkipped() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN echo a \\", "# comment", "   # indented comment", "b");
        assertEquals("echo a b", script(d, 1));
        assertEquals(new Location("Dockerfile", 2, 5), d.nodes().get(1).location());
        assertEquals(List.of(), d.warnings());
    }

    @Test
    void blankLinesInsideAContinuationAreSkippedWithAWarning() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN foo \\", "", "bar \\", "   ", "baz");
        assertEquals("foo bar baz", script(d, 1));
        assertEquals(1, d.warnings().size());
        assertEquals("Dockerfile:6: NoEmptyContinuation: Empty continuation line", d.warnings().get(0), "BuildKit: the last line");
    }

    @Test
    void trailingEscapeAtEndOfFileEndsTheInstruction() throws Exception {
        Dockerfile d = DockerfileParser.parse("FROM scratch\nRUN something \\", "Dockerfile");
        assertEquals("something", script(d, 1));
        assertEquals(new Location("Dockerfile", 2, 2), d.nodes().get(1).location());
    }

    @Test
    void escapedEscapeAtEndOfLineIsLiteral() throws Exception {
        assertEquals("(env \"C\" \"trailing\\\\\\\\\" \"\")\n(env \"D\" \"x\" \"\")\n",
                sexp("ENV C trailing\\\\", "ENV D x"));
    }

    @Test
    void blanksAfterTheEscapeStillContinue() throws Exception {
        assertEquals("(run \"a b\")\n", sexp("RUN a \\ \t ", "b"));
    }

    @Test
    void lineOfOnlyAnEscapeContinuesWithNothing() throws Exception {
        assertEquals("(env \"E\" \"helloworld\" \"\")\n", sexp("ENV E hello\\", "\\", "world"));
    }

    @Test
    void crlfLineEndingsAreAccepted() throws Exception {
        Dockerfile d = DockerfileParser.parse("FROM scratch\r\nRUN a \\\r\n b\r\nCMD [\"x\"]\r\n", "Dockerfile");
        assertEquals("a  b", script(d, 1));
        assertEquals(List.of("x"), ((Instruction.Command.Exec) ((Instruction.Cmd) d.instructions().get(2)).command()).argv());
    }

    @Test
    void leadingWhitespaceOfFirstLineIsDroppedButKeptOnContinuationLines() throws Exception {
        Dockerfile d = parse("   FROM scratch", "\tRUN a \\", "\t  b");
        assertEquals("RUN a \t  b", d.nodes().get(1).original());
    }

    @Test
    void originalIsTheJoinedLine() throws Exception {
        Dockerfile d = parse("FROM scratch", "COPY --chown=1:1 \\", "  a /b");
        assertEquals("COPY --chown=1:1   a /b", d.nodes().get(1).original());
    }

    @Test
    void locationsCountEveryPhysicalLine() throws Exception {
        Dockerfile d = parse("# comment", "", "FROM scratch", "", "RUN a \\", "  b \\", "  c", "CMD x");
        assertEquals(new Location("Dockerfile", 3, 3), d.nodes().get(0).location());
        assertEquals(new Location("Dockerfile", 5, 7), d.nodes().get(1).location());
        assertEquals(new Location("Dockerfile", 8, 8), d.instructions().get(2).location());
        assertEquals("Dockerfile:5-7", d.nodes().get(1).location().toString());
    }

    @Test
    void keywordsAreCaseInsensitive() throws Exception {
        Dockerfile d = parse("from scratch", "Run echo hi");
        assertEquals("run", d.nodes().get(1).keyword());
        assertTrue(d.instructions().get(1) instanceof Instruction.Run);
    }

    static String script(Dockerfile d, int index) {
        Instruction instruction = d.instructions().get(index);
        Instruction.Command command;
        if (instruction instanceof Instruction.Run run) {
            command = run.command();
        } else if (instruction instanceof Instruction.Cmd cmd) {
            command = cmd.command();
        } else {
            throw new AssertionError("not a command: " + instruction);
        }
        return ((Instruction.Command.Shell) command).script();
    }
}

package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.failure;
import static dev.jbuild.dockerfile.Parsing.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed conversion, whole-file errors, and the messages and locations users see. */
class InstructionTest {

    @Test
    void everyNodeBecomesOneInstructionWithTheSameNode() throws Exception {
        Dockerfile d = parse("ARG V=1", "FROM alpine:$V AS base", "RUN echo hi", "FROM base", "COPY --from=base /a /b");
        assertEquals(d.nodes().size(), d.instructions().size());
        for (int i = 0; i < d.nodes().size(); i++) {
            assertEquals(d.nodes().get(i), d.instructions().get(i).node());
        }
    }

    @Test
    void fromForms() throws Exception {
        Instruction.From plain = (Instruction.From) parse("FROM alpine").instructions().get(0);
        assertEquals("alpine", plain.image());
        assertNull(plain.stageName());
        assertNull(plain.platform());
        assertEquals("a-b_c.1", ((Instruction.From) parse("FROM x as A-b_c.1").instructions().get(0)).stageName());
    }

    @Test
    void fromErrors() {
        assertEquals("FROM requires either one or three arguments", failure("FROM").getMessage());
        assertEquals("FROM requires either one or three arguments", failure("FROM a b").getMessage());
        assertEquals("FROM requires either one or three arguments", failure("FROM a to b").getMessage());
        assertEquals("invalid name for build stage: \"1st\", name can't start with a number or contain symbols",
                failure("FROM a AS 1st").getMessage());
        assertEquals("invalid name for build stage: \"b$\", name can't start with a number or contain symbols",
                failure("FROM a AS b$").getMessage());
    }

    @Test
    void copyAndAddNeedADestination() {
        assertEquals("COPY requires at least two arguments, but only one was provided. Destination could not be determined",
                failure("FROM scratch", "COPY a").getMessage());
        assertEquals("ADD requires at least two arguments, but only one was provided. Destination could not be determined",
                failure("FROM scratch", "ADD [\"a\"]").getMessage());
    }

    @Test
    void onbuildNestsATypedTrigger() throws Exception {
        Dockerfile d = parse("FROM scratch", "ONBUILD COPY --chown=1 . /app", "onbuild run make");
        Instruction.Onbuild copy = (Instruction.Onbuild) d.instructions().get(1);
        Instruction.Copy trigger = (Instruction.Copy) copy.trigger();
        assertEquals("1", trigger.chown());
        assertEquals("COPY --chown=1 . /app", copy.expression());
        assertEquals("run make", ((Instruction.Onbuild) d.instructions().get(2)).expression());
        assertEquals("copy", d.nodes().get(1).next().keyword());
        assertEquals(List.of(), d.nodes().get(1).args());
        assertEquals(d.nodes().get(1).location(), trigger.location());
    }

    @Test
    void onbuildRejectsChainingFromAndMaintainer() {
        assertEquals("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                failure("FROM scratch", "ONBUILD ONBUILD RUN x").getMessage());
        assertEquals("FROM isn't allowed as an ONBUILD trigger", failure("FROM scratch", "ONBUILD from x").getMessage());
        assertEquals("MAINTAINER isn't allowed as an ONBUILD trigger",
                failure("FROM scratch", "ONBUILD MAINTAINER me").getMessage());
        assertEquals("ONBUILD requires at least one argument", failure("FROM scratch", "ONBUILD").getMessage());
    }

    @Test
    void onbuildTriggerIsCheckedNow() {
        assertEquals("unknown instruction: COPPY (did you mean COPY?)",
                failure("FROM scratch", "ONBUILD COPPY a b").getMessage());
    }

    @Test
    void unknownInstructionKeepsItsSpellingAndSuggests() {
        DockerfileSyntaxException e = failure("FROM scratch", "", "COPPY a b");
        assertEquals("unknown instruction: COPPY (did you mean COPY?)", e.getMessage());
        assertEquals(new Location("Dockerfile", 3, 3), e.location());
        assertEquals("COPPY a b", e.sourceLine());
        assertEquals("unknown instruction: runn (did you mean run?)", failure("FROM scratch", "runn x").getMessage());
        assertEquals("unknown instruction: FOOBAR", failure("FOOBAR").getMessage());
    }

    @Test
    void emptyFilesAndCommentOnlyFilesHaveNoInstructions() {
        for (String text : List.of("", "\n\n", "# just\n# comments\n", "\uFEFF", "   \t\n")) {
            DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
                    () -> DockerfileParser.parse(text, "Dockerfile"));
            assertEquals("file with no instructions", e.getMessage());
        }
    }

    @Test
    void errorsOnContinuedInstructionsCoverTheWholeRange() {
        DockerfileSyntaxException e = failure("FROM scratch", "COPY --nope \\", "  a \\", "  b");
        assertEquals(new Location("Dockerfile", 2, 4), e.location());
        assertEquals("COPY --nope \\", e.sourceLine());
        assertEquals("Dockerfile:2", e.location().prefix());
    }

    @Test
    void fileNameIsUsedInLocationsAndWarnings() throws Exception {
        Dockerfile d = DockerfileParser.parse("FROM scratch\nRUN a \\\n\nb\n", "app.Dockerfile");
        assertEquals("app.Dockerfile", d.nodes().get(0).location().file());
        assertTrue(d.warnings().get(0).startsWith("app.Dockerfile:4: "), d.warnings().get(0));
    }

    @Test
    void parseInstructionParsesOneTriggerAtTheGivenLine() throws Exception {
        Instruction i = DockerfileParser.parseInstruction("RUN --mount=type=cache,target=/x make", "base", 7, '\\');
        assertEquals(new Location("base", 7, 7), i.location());
        assertEquals(List.of(new MountFlag("type=cache,target=/x", null)), ((Instruction.Run) i).mounts());
        Instruction backtick = DockerfileParser.parseInstruction("ENV A b`\nc", "base", 1, '`');
        assertEquals("bc", ((Instruction.Env) backtick).variables().get(0).value());
        DockerfileSyntaxException two = assertThrows(DockerfileSyntaxException.class,
                () -> DockerfileParser.parseInstruction("RUN a\nRUN b", "base", 3, '\\'));
        assertEquals("expected one instruction, found 2", two.getMessage());
        assertEquals(4, two.location().startLine());
        DockerfileSyntaxException bad = assertThrows(DockerfileSyntaxException.class,
                () -> DockerfileParser.parseInstruction("COPY a", "base", 9, '\\'));
        assertEquals(9, bad.location().startLine());
        // directives are not recognised in a trigger
        assertEquals("A", ((Instruction.Env) DockerfileParser.parseInstruction("# escape=`\nENV A b", "base", 1, '\\'))
                .variables().get(0).key());
    }
}

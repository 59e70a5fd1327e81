package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.failure;
import static dev.jbuild.dockerfile.Parsing.parse;
import static dev.jbuild.dockerfile.Parsing.sexp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON (exec) form versus shell form, and the argument shapes of each instruction. */
class FormsTest {

    @Test
    void validJsonArrayIsExecForm() throws Exception {
        Dockerfile d = parse("FROM scratch", "CMD [ \"a\", \"b c\" ]", "ENTRYPOINT []", "RUN [\"sh\", \"-c\", \"x\"]");
        assertEquals(new Instruction.Command.Exec(List.of("a", "b c")), ((Instruction.Cmd) d.instructions().get(1)).command());
        assertEquals(new Instruction.Command.Exec(List.of()), ((Instruction.Entrypoint) d.instructions().get(2)).command());
        assertTrue(d.nodes().get(3).json());
    }

    @Test
    void invalidJsonFallsBackToShellForm() throws Exception {
        assertEquals("(cmd \"['a','b']\")\n(cmd \"[\\\"a\\\", \\\"b\\\"\")\n(cmd \"[\\\"a\\\"] x\")\n(cmd \"[\\\"\\\\x\\\"]\")\n",
                sexp("CMD ['a','b']", "CMD [\"a\", \"b\"", "CMD [\"a\"] x", "CMD [\"\\x\"]"));
        Dockerfile d = parse("FROM scratch", "CMD [\"echo\", \"unterminated]");
        assertFalse(d.nodes().get(1).json());
        assertEquals("[\"echo\", \"unterminated]", ContinuationTest.script(d, 1));
    }

    @Test
    void jsonEscapesAreDecodedLikeGo() throws Exception {
        assertEquals("(cmd \"\\\" \\\\ / \\b \\f \\n \\r \\t \\x00 \u00e9 \uFFFD \uD83D\uDE00\")\n",
                sexp("CMD [\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\ud800 \\ud83d\\ude00\"]"));
    }

    @Test
    void nestedArraysNumbersAndNullsInJsonAreErrors() {
        for (String bad : List.of("CMD [\"a\", [\"b\"]]", "RUN [1]", "ENTRYPOINT [null]", "COPY [\"a\", {\"b\": 1}]",
                "VOLUME [true]", "SHELL [\"a\", 1.5e3]")) {
            DockerfileSyntaxException e = failure("FROM scratch", bad);
            assertEquals(JsonArgs.NOT_STRINGS, e.getMessage(), bad);
            assertEquals(2, e.location().startLine());
        }
    }

    @Test
    void shellRequiresJson() {
        assertEquals("SHELL requires the arguments to be in JSON form", failure("FROM scratch", "SHELL sh -c").getMessage());
        assertEquals("SHELL requires at least one argument", failure("FROM scratch", "SHELL []").getMessage());
    }

    @Test
    void shellJsonForm() throws Exception {
        Instruction.Shell shell = (Instruction.Shell) parse("FROM scratch", "SHELL [\"powershell\", \"-command\"]")
                .instructions().get(1);
        assertEquals(List.of("powershell", "-command"), shell.shell());
    }

    @Test
    void copyAndVolumeSplitWordsOrTakeJson() throws Exception {
        Dockerfile d = parse("FROM scratch", "COPY [\"test file\", \"/tmp/\"]", "COPY a  b\t/c/", "VOLUME /a /b",
                "VOLUME [\"/c d\"]");
        Instruction.Copy json = (Instruction.Copy) d.instructions().get(1);
        assertEquals(List.of("test file"), json.sources());
        Instruction.Copy words = (Instruction.Copy) d.instructions().get(2);
        assertEquals(List.of("a", "b"), words.sources());
        assertEquals("/c/", words.destination());
        assertEquals(List.of("/a", "/b"), ((Instruction.Volume) d.instructions().get(3)).paths());
        assertEquals(List.of("/c d"), ((Instruction.Volume) d.instructions().get(4)).paths());
    }

    @Test
    void envOldAndNewForms() throws Exception {
        assertEquals(String.join("\n",
                        "(env \"A\" \"b c  d\" \"\")",
                        "(env \"A\" \"1\" \"=\" \"B\" \"\\\"x y\\\"\" \"=\" \"C\" \"z\\\\ w\" \"=\")",
                        "(label \"k\" \"\" \"=\")") + "\n",
                sexp("ENV A b c  d", "ENV A=1 B=\"x y\" C=z\\ w", "LABEL k="));
    }

    @Test
    void envWordWithoutEqualsInNewFormIsAnError() {
        DockerfileSyntaxException e = failure("FROM scratch", "ENV A=1 B");
        assertEquals("syntax error - can't find = in \"B\". Must be of the form: name=value", e.getMessage());
    }

    @Test
    void envAndLabelNeedValues() {
        assertEquals("ENV must have two arguments", failure("FROM scratch", "ENV PATH").getMessage());
        assertEquals("LABEL must have two arguments", failure("FROM scratch", "LABEL x").getMessage());
        assertEquals("ENV requires at least one argument", failure("FROM scratch", "ENV").getMessage());
        assertEquals("ENV names can not be blank", failure("FROM scratch", "ENV =x").getMessage());
    }

    @Test
    void envPairsKeepQuotesForLaterExpansion() throws Exception {
        Instruction.Env env = (Instruction.Env) parse("FROM scratch", "ENV A=\"x y\" B='$z'").instructions().get(1);
        assertEquals(List.of(new Instruction.KeyValue("A", "\"x y\""), new Instruction.KeyValue("B", "'$z'")),
                env.variables());
        Instruction.Label label = (Instruction.Label) parse("FROM scratch", "LABEL version 1.0 beta").instructions().get(1);
        assertEquals(List.of(new Instruction.KeyValue("version", "1.0 beta")), label.labels());
    }

    @Test
    void argDeclarationsWithAndWithoutDefaults() throws Exception {
        Instruction.Arg arg = (Instruction.Arg) parse("ARG A B=1 C=\"x y\" D=", "FROM scratch").instructions().get(0);
        assertEquals(List.of(new Instruction.ArgDeclaration("A", null), new Instruction.ArgDeclaration("B", "1"),
                new Instruction.ArgDeclaration("C", "\"x y\""), new Instruction.ArgDeclaration("D", "")),
                arg.declarations());
        assertEquals("ARG requires at least one argument", failure("ARG").getMessage());
        assertEquals("ARG names can not be blank", failure("ARG =1").getMessage());
    }

    @Test
    void healthcheckForms() throws Exception {
        Dockerfile d = parse("FROM scratch", "HEALTHCHECK NONE", "HEALTHCHECK CMD curl -f http://x/ || exit 1",
                "HEALTHCHECK cmd [\"/bin/check\", \"-q\"]");
        Instruction.Healthcheck none = (Instruction.Healthcheck) d.instructions().get(1);
        assertTrue(none.disabled());
        Instruction.Healthcheck shell = (Instruction.Healthcheck) d.instructions().get(2);
        assertEquals(new Instruction.Command.Shell("curl -f http://x/ || exit 1"), shell.test());
        assertNull(shell.interval());
        assertNull(shell.retries());
        Instruction.Healthcheck exec = (Instruction.Healthcheck) d.instructions().get(3);
        assertEquals(new Instruction.Command.Exec(List.of("/bin/check", "-q")), exec.test());
    }

    @Test
    void healthcheckErrors() {
        assertEquals("HEALTHCHECK requires at least one argument", failure("FROM scratch", "HEALTHCHECK").getMessage());
        assertEquals("HEALTHCHECK NONE takes no arguments", failure("FROM scratch", "HEALTHCHECK NONE x").getMessage());
        assertEquals("missing command after HEALTHCHECK CMD", failure("FROM scratch", "HEALTHCHECK CMD").getMessage());
        assertEquals("missing command after HEALTHCHECK CMD", failure("FROM scratch", "HEALTHCHECK CMD []").getMessage());
        assertEquals("unknown type \"CONNECT\" in HEALTHCHECK (try CMD)",
                failure("FROM scratch", "HEALTHCHECK CONNECT TCP 7000").getMessage());
    }

    @Test
    void singleArgumentInstructions() throws Exception {
        Dockerfile d = parse("FROM scratch", "USER app:app", "WORKDIR /a b", "STOPSIGNAL SIGKILL",
                "MAINTAINER Jane <j@example.com>", "EXPOSE 80/tcp  443");
        assertEquals("app:app", ((Instruction.User) d.instructions().get(1)).user());
        assertEquals("/a b", ((Instruction.Workdir) d.instructions().get(2)).path());
        assertEquals("SIGKILL", ((Instruction.Stopsignal) d.instructions().get(3)).signal());
        assertEquals("Jane <j@example.com>", ((Instruction.Maintainer) d.instructions().get(4)).maintainer());
        assertEquals(List.of("80/tcp", "443"), ((Instruction.Expose) d.instructions().get(5)).ports());
        for (String keyword : List.of("USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER")) {
            assertEquals(keyword + " requires exactly one argument", failure("FROM scratch", keyword).getMessage());
        }
        assertEquals("EXPOSE requires at least one argument", failure("FROM scratch", "EXPOSE").getMessage());
        assertEquals("VOLUME requires at least one argument", failure("FROM scratch", "VOLUME").getMessage());
        assertEquals("VOLUME specified can not be an empty string", failure("FROM scratch", "VOLUME [\" \"]").getMessage());
    }

    @Test
    void emptyRunAndCmdAreEmptyScriptsAsInBuildKit() throws Exception {
        Dockerfile d = parse("FROM scratch", "RUN", "CMD");
        assertEquals("", ContinuationTest.script(d, 1));
        assertEquals("", ContinuationTest.script(d, 2));
    }
}

package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole text of Dockerfile errors that know their character: {@code FILE:LINE:COLUMN: message},
 * the instruction's lines, and a caret under the character, on the physical line it is on. Errors
 * of the parser come from {@code jbuild parse}, of the planner from {@code build --dry-run}, of the
 * build from a build of a scratch image (no network needed).
 */
class ErrorCaretTest {

    @TempDir
    Path dir;

    /** What {@code jbuild parse} prints on standard error for {@code dockerfile}. */
    private String parseError(String dockerfile) throws Exception {
        Path file = dir.resolve("Dockerfile");
        Files.writeString(file, dockerfile);
        CliTest.Result result = CliTest.run("parse", "-f", file.toString());
        assertEquals(1, result.exitCode(), result.err());
        return result.err();
    }

    /** The error of a build of {@code dockerfile} (the lines from {@code Dockerfile:} on). */
    private String buildError(String dockerfile, String... flags) throws Exception {
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(
                List.of("--root", dir.resolve("store").toString(), "build", "--progress=plain"));
        args.addAll(List.of(flags));
        args.add(context.toString());
        CliTest.Result result = CliTest.run(args.toArray(String[]::new));
        assertEquals(1, result.exitCode(), result.err());
        int start = result.err().indexOf("Dockerfile:");
        assertTrue(start == 0 || start > 0 && result.err().charAt(start - 1) == '\n', result.err());
        return result.err().substring(start);
    }

    @Test
    void unknownInstruction() throws Exception {
        assertEquals("""
                Dockerfile:3:1: unknown instruction: COPPY (did you mean COPY?)
                    3 | COPPY . /app
                      | ^
                """, parseError("FROM alpine\n\nCOPPY . /app\n"));
    }

    @Test
    void anIndentedInstructionCountsItsIndentation() throws Exception {
        assertEquals("""
                Dockerfile:2:8: unknown flag: chmown (did you mean chown?)
                    2 |   COPY --chmown=1:1 a /b
                      |        ^
                """, parseError("FROM alpine\n  COPY --chmown=1:1 a /b\n"));
    }

    @Test
    void aFlagOnAContinuationLineIsShownOnItsLineAndTabsKeepTheCaretUnderIt() throws Exception {
        assertEquals("""
                Dockerfile:3:2: unknown flag: chmown (did you mean chown?)
                    2 | COPY --chown=1:1 \\
                    3 | \t--chmown=1 a /b
                      | \t^
                """, parseError("FROM alpine\nCOPY --chown=1:1 \\\n\t--chmown=1 a /b\n"));
        // a tab before the character on its own line, and comment lines inside the continuation
        assertEquals("""
                Dockerfile:4:5: duplicate flag specified: from
                    2 | COPY --from=a \\
                    3 | # a comment
                    4 | \t  \t--from=b x /y
                      | \t  \t^
                """, parseError("FROM alpine\nCOPY --from=a \\\n# a comment\n\t  \t--from=b x /y\n"));
    }

    @Test
    void aCaretFarDownAContinuationSkipsTheLinesBetween() throws Exception {
        assertEquals("""
                Dockerfile:8:3: duplicate flag specified: timeout
                    2 | HEALTHCHECK \\
                  ... |
                    8 |   --timeout=2s CMD true
                      |   ^
                """, parseError("FROM alpine\nHEALTHCHECK \\\n  --interval=1s \\\n  --timeout=1s \\\n  --retries=1 \\\n"
                + "  --start-period=1s \\\n  --start-interval=1s \\\n  --timeout=2s CMD true\n"));
    }

    @Integration
    @Test
    void anUnterminatedHeredocPointsAtItsMarker() throws Exception {
        assertEquals("""
                Dockerfile:2:20: unterminated heredoc
                    2 | RUN cat <<A && cat <<-"B"
                      |                    ^
                """, parseError("FROM alpine\nRUN cat <<A && cat <<-\"B\"\na\nA\nb\n"));
    }

    @Test
    void jsonThatMustBeStringsPointsAtTheElement() throws Exception {
        assertEquals("""
                Dockerfile:2:11: when using JSON array syntax, arrays must be comprised of strings only
                    2 | CMD ["a", 1]
                      |           ^
                """, parseError("FROM alpine\nCMD [\"a\", 1]\n"));
        // invalid JSON is shell form, as in BuildKit; SHELL takes JSON only
        assertEquals("""
                Dockerfile:2:7: SHELL requires the arguments to be in JSON form
                    2 | SHELL ["sh", -c]
                      |       ^
                """, parseError("FROM alpine\nSHELL [\"sh\", -c]\n"));
    }

    @Integration
    @Test
    void flagValuesAndWordsArePointedAt() throws Exception {
        assertEquals("""
                Dockerfile:2:13: time: invalid duration "xyz"
                    2 | HEALTHCHECK --interval=xyz CMD true
                      |             ^
                """, parseError("FROM alpine\nHEALTHCHECK --interval=xyz CMD true\n"));
        assertEquals("""
                Dockerfile:2:5: invalid network mode "nowhere"
                    2 | RUN --network=nowhere true
                      |     ^
                """, parseError("FROM alpine\nRUN --network=nowhere true\n"));
        assertEquals("""
                Dockerfile:2:9: syntax error - can't find = in "B". Must be of the form: name=value
                    2 | ENV A=1 B
                      |         ^
                """, parseError("FROM alpine\nENV A=1 B\n"));
        assertEquals("""
                Dockerfile:2:7: ARG names can not be blank
                    2 | ARG a =b
                      |       ^
                """, parseError("FROM alpine\nARG a =b\n"));
        assertEquals("""
                Dockerfile:1:16: invalid name for build stage: "1x", name can't start with a number or contain symbols
                    1 | FROM alpine AS 1x
                      |                ^
                """, parseError("FROM alpine AS 1x\n"));
        assertEquals("""
                Dockerfile:2:9: chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed
                    2 | ONBUILD ONBUILD RUN true
                      |         ^
                """, parseError("FROM alpine\nONBUILD ONBUILD RUN true\n"));
        assertEquals("""
                Dockerfile:1:10: invalid escape token 'x' does not match ` or \\
                    1 | # escape=x
                      |          ^
                """, parseError("# escape=x\nFROM alpine\n"));
    }

    @Test
    void errorsWithoutAPlaceKeepTheLineOnlyPrefix() throws Exception {
        assertEquals("""
                Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined
                    2 | COPY a
                """, parseError("FROM alpine\nCOPY a\n"));
    }

    @Test
    void thePlannersErrorsPointAtTheWordOrFlag() throws Exception {
        assertEquals("""
                Dockerfile:1:6: failed to process "${BASE:?give_BASE}": BASE: give_BASE
                    1 | FROM ${BASE:?give_BASE}
                      |      ^
                """, buildError("FROM ${BASE:?give_BASE}\n", "--dry-run"));
        assertEquals("""
                Dockerfile:2:6: circular dependency detected on stage: 0
                    2 | COPY --from=0 a.txt /
                      |      ^
                """, buildError("FROM scratch\nCOPY --from=0 a.txt /\n", "--dry-run"));
        // a global ARG's default: the caret is in the default, after NAME=
        assertEquals("""
                Dockerfile:1:12: failed to process "x${Y:?}": Y: is not allowed to be unset
                    1 | ARG A=1 B=x${Y:?}
                      |            ^
                """, buildError("ARG A=1 B=x${Y:?}\nFROM scratch\n", "--dry-run"));
    }

    @Integration
    @Test
    void theBuildsErrorsPointAtTheWordOrFlag() throws Exception {
        // an unclosed quote, at the quote; a substitution on a continuation line, at its $
        assertEquals("""
                Dockerfile:2:9: failed to process ""abc": unexpected end of statement while looking for matching double-quote
                    2 | LABEL A="abc
                      |         ^
                """,
                buildError("FROM scratch\nLABEL A=\"abc\n"));
        assertEquals("""
                Dockerfile:3:7: failed to process "${X:?missing}": X: missing
                    2 | ENV A=1 \\
                    3 |     B=${X:?missing}
                      |       ^
                """, buildError("FROM scratch\nENV A=1 \\\n    B=${X:?missing}\n"));
        assertEquals("""
                Dockerfile:2:6: invalid chmod value xyz: use octal (0755) or symbolic (u=rwx,go=rx) notation
                    2 | COPY --chmod=xyz a.txt /
                      |      ^
                """, buildError("FROM scratch\nCOPY --chmod=xyz a.txt /\n"));
        // the second flag of a continued RUN: the mount is read before anything runs
        assertEquals("""
                Dockerfile:3:5: unsupported mount type "nope"
                    2 | RUN --network=none \\
                    3 |     --mount=type=nope,target=/x true
                      |     ^
                """, buildError("FROM scratch\nRUN --network=none \\\n    --mount=type=nope,target=/x true\n"));
        // a key BuildKit does not know (accepted and ignored before mounts had one parser)
        assertEquals("""
                Dockerfile:3:5: unexpected key 'bogus' in 'bogus=1'
                    2 | RUN --mount=target=/x \\
                    3 |     --mount=type=bind,target=/y,bogus=1 true
                      |     ^
                """, buildError("FROM scratch\nRUN --mount=target=/x \\\n    --mount=type=bind,target=/y,bogus=1 true\n"));
    }
}

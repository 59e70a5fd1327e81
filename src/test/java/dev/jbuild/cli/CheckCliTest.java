package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check}, {@code --call=check[,format=json]}, the warnings of a build and {@code error=true}. */
class CheckCliTest {

    @TempDir
    Path dir;

    private static final String FINDINGS = "FROM scratch as base\nCMD run me\n";

    private String context(String dockerfile) throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        return dir.toString();
    }

    @Test
    void checkRunsOnlyTheChecksAndExitsOneOnFindings() throws Exception {
        CliTest.Result clean = CliTest.run("--root", dir.resolve("store").toString(), "build", "--check",
                context("FROM scratch AS base\nCMD [\"run\"]\n"));
        assertEquals(0, clean.exitCode(), clean.err());
        assertEquals("Check complete, no warnings found.\n", clean.out());
        CliTest.Result images = CliTest.run("--root", dir.resolve("store").toString(), "images", "-q");
        assertEquals("", images.out().strip(), "nothing is built");

        CliTest.Result found = CliTest.run("build", "--check", context(FINDINGS));
        assertEquals(1, found.exitCode(), found.err());
        assertEquals("""
                Check complete, 2 warnings have been found!

                WARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/
                'as' and 'FROM' keywords' casing do not match
                Dockerfile:1
                --------------------
                   1 | >>> FROM scratch as base
                   2 |     CMD run me
                   3 |    \s
                --------------------

                WARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/
                JSON arguments recommended for CMD to prevent unintended behavior related to OS signals
                Dockerfile:2
                --------------------
                   1 |     FROM scratch as base
                   2 | >>> CMD run me
                   3 |    \s
                --------------------
                """, found.out());
        assertEquals(found.out(), CliTest.run("build", "--call=check", context(FINDINGS)).out());
    }

    @Test
    void jsonIsBuildKitsLintResult() throws Exception {
        CliTest.Result result = CliTest.run("build", "--call=check,format=json", context(FINDINGS));
        assertEquals(1, result.exitCode(), result.err());
        JsonNode json = new ObjectMapper().readTree(result.out());
        JsonNode warning = json.get("warnings").get(1);
        assertEquals("JSONArgsRecommended", warning.get("ruleName").asText());
        assertEquals("JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
                warning.get("description").asText());
        assertEquals("https://docs.docker.com/go/dockerfile/rule/json-args-recommended/", warning.get("url").asText());
        assertEquals("JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
                warning.get("detail").asText());
        assertEquals(2, warning.at("/location/ranges/0/start/line").asInt());
        assertEquals(2, warning.at("/location/ranges/0/end/line").asInt());
        assertEquals("Dockerfile", json.at("/sources/0/filename").asText());
        assertEquals(FINDINGS, new String(Base64.getDecoder().decode(json.at("/sources/0/data").asText()), StandardCharsets.UTF_8));
        assertFalse(json.has("buildError"));
    }

    @Test
    void aPlanErrorComesAfterTheFindingsMadeBeforeIt() throws Exception {
        CliTest.Result result = CliTest.run("build", "--call=check,format=json", context("FROM ${NOPE} AS Bad\n"));
        assertEquals(1, result.exitCode());
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertEquals("base name (${NOPE}) should not be blank", json.at("/buildError/message").asText());
        assertEquals("StageNameCasing", json.at("/warnings/0/ruleName").asText());
        assertEquals("UndefinedArgInFrom", json.at("/warnings/1/ruleName").asText());
        assertTrue(result.err().contains("base name (${NOPE}) should not be blank"), result.err());
    }

    /** BuildKit's testWarningsBeforeError: an unknown instruction, and the findings of the lines before it. */
    @Test
    void aSyntaxErrorComesAfterTheFindingsOfTheInstructionsBeforeIt() throws Exception {
        String dockerfile = "\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n";
        CliTest.Result json = CliTest.run("build", "--call=check,format=json", context(dockerfile));
        assertEquals(1, json.exitCode());
        JsonNode parsed = new ObjectMapper().readTree(json.out());
        assertEquals("unknown instruction: BADCMD", parsed.at("/buildError/message").asText(), json.out());
        assertEquals("StageNameCasing", parsed.at("/warnings/0/ruleName").asText(), json.out());
        assertEquals(2, parsed.at("/warnings/0/location/ranges/0/start/line").asInt(), json.out());
        assertEquals("MaintainerDeprecated", parsed.at("/warnings/1/ruleName").asText(), json.out());
        assertEquals(2, parsed.at("/warnings").size(), json.out());

        CliTest.Result text = CliTest.run("build", "--check", context(dockerfile));
        assertEquals(1, text.exitCode());
        assertTrue(text.out().contains("StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/"), text.out());
        assertTrue(text.err().contains("unknown instruction: BADCMD"), text.err());

        CliTest.Result build = CliTest.run("--root", dir.resolve("store").toString(), "build", "--progress=plain", context(dockerfile));
        assertEquals(1, build.exitCode());
        int warning = build.err().indexOf("warning: Dockerfile:3: MaintainerDeprecated");
        int error = build.err().indexOf("unknown instruction: BADCMD");
        assertTrue(warning >= 0 && error > warning, "warnings, then the error:\n" + build.err());
    }

    @Test
    void aBuildPrintsFindingsAsWarningsAndErrorTrueFailsIt() throws Exception {
        CliTest.Result warned = CliTest.run("build", "--dry-run", context(FINDINGS));
        assertEquals(0, warned.exitCode(), warned.err());
        assertTrue(warned.err().contains("warning: Dockerfile:2: JSONArgsRecommended: JSON arguments recommended for CMD to"
                + " prevent unintended behavior related to OS signals (https://docs.docker.com/go/dockerfile/rule/json-args-recommended/)\n"),
                warned.err());

        CliTest.Result failed = CliTest.run("build", "--dry-run", context("# check=error=true\n" + FINDINGS));
        assertEquals(1, failed.exitCode());
        assertTrue(failed.err().endsWith("error: lint violation found for rules: FromAsCasing, JSONArgsRecommended\n"), failed.err());

        CliTest.Result skipped = CliTest.run("build", "--dry-run", "--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=all;error=true",
                context("# check=error=true\n" + FINDINGS));
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertFalse(skipped.err().contains("warning:"), skipped.err());
    }

    @Test
    void otherCallsAreRefused() throws Exception {
        CliTest.Result outline = CliTest.run("build", "--call=outline", context(FINDINGS));
        assertEquals(2, outline.exitCode());
        assertTrue(outline.err().contains("--call=outline is not implemented yet"), outline.err());
    }

    @Test
    @Integration
    void aFinishedBuildEndsWithBuildxsSummary() throws Exception {
        CliTest.Result built = CliTest.run("--root", dir.resolve("store").toString(), "build", "--progress=plain",
                context(FINDINGS));
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().endsWith("""

                 2 warnings found:
                 - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)
                 - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 2)
                """), built.err());
    }

    @Test
    @Integration
    void aBaseImageOfAnotherPlatformIsInvalidBaseImagePlatform() throws Exception {
        String root = dir.resolve("store").toString();
        CliTest.Result base = CliTest.run("--root", root, "build", "--platform", "linux/arm64", "-t", "base:arm",
                context("FROM scratch\nLABEL a=b\n"));
        assertEquals(0, base.exitCode(), base.err());
        CliTest.Result built = CliTest.run("--root", root, "build", "--platform", "linux/amd64", "--progress=plain",
                context("FROM base:arm\n"));
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("Dockerfile:1: InvalidBaseImagePlatform: Base image base:arm was pulled with platform"
                + " \"linux/arm64\", expected \"linux/amd64\" for current build\n"), built.err());
        assertTrue(built.err().endsWith("""

                 1 warning found:
                 - InvalidBaseImagePlatform: Base image base:arm was pulled with platform "linux/arm64", expected "linux/amd64" \
                for current build (line 1)
                """), built.err());
        CliTest.Result skipped = CliTest.run("--root", root, "build", "--platform", "linux/amd64", "--progress=plain",
                context("# check=skip=InvalidBaseImagePlatform\nFROM base:arm\n"));
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertFalse(skipped.err().contains("InvalidBaseImagePlatform"), skipped.err());
    }

    /**
     * As BuildKit's check resolves base images and converts every instruction: the engine's rules are reported
     * by --check too, without a step running (the RUN would fail) or an image being made.
     */
    @Test
    @Integration
    void checkReportsTheEngineRulesWithoutBuilding() throws Exception {
        String root = dir.resolve("store").toString();
        CliTest.Result base = CliTest.run("--root", root, "build", "--platform", "linux/arm64", "-t", "base:arm",
                context("FROM scratch\nENV PATH=/bin\n"));
        assertEquals(0, base.exitCode(), base.err());
        Files.writeString(dir.resolve(".dockerignore"), "secret.txt\n");
        Files.writeString(dir.resolve("secret.txt"), "s");
        String dockerfile = "FROM base:arm\nENV A=$PAHT:/x B=$PATH\nRUN exit 3\nCOPY secret.txt /\nLABEL l=$NOPE\n";
        CliTest.Result text = CliTest.run("--root", root, "build", "--check", "--platform", "linux/amd64", context(dockerfile));
        assertEquals(1, text.exitCode(), text.err());
        assertTrue(text.out().contains("Check complete, 4 warnings have been found!"), text.out());
        assertTrue(text.out().contains("Base image base:arm was pulled with platform \"linux/arm64\", expected \"linux/amd64\""),
                text.out());
        assertTrue(text.out().contains("Usage of undefined variable '$PAHT' (did you mean $PATH?)"), text.out());
        assertTrue(text.out().contains("Attempting to Copy file \"secret.txt\" that is excluded by .dockerignore"), text.out());
        assertTrue(text.out().contains("Usage of undefined variable '$NOPE'"), text.out());
        assertFalse(text.err().contains("exit code: 3"), "no step ran: " + text.err());

        CliTest.Result json = CliTest.run("--root", root, "build", "--call=check,format=json", "--platform", "linux/amd64",
                context(dockerfile));
        assertEquals(1, json.exitCode(), json.err());
        JsonNode parsed = new ObjectMapper().readTree(json.out());
        assertEquals(List.of("InvalidBaseImagePlatform", "UndefinedVar", "CopyIgnoredFile", "UndefinedVar"),
                parsed.at("/warnings").findValuesAsText("ruleName"), json.out());

        CliTest.Result images = CliTest.run("--root", root, "images", "-q");
        assertEquals(0, images.exitCode(), images.err());
        assertEquals(1, images.out().strip().lines().count(), "only the base: " + images.out());

        CliTest.Result missing = CliTest.run("--root", root, "build", "--check", context("FROM 127.0.0.1:1/no-such-image:1\nENV A=$NOPE\n"));
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("127.0.0.1:1/no-such-image"), missing.err());
    }

    @Test
    @Integration
    void variablesUsedUndefinedAreUndefinedVarWhereTheEngineExpandsThem() throws Exception {
        String root = dir.resolve("store").toString();
        CliTest.Result built = CliTest.run("--root", root, "build", "--progress=plain", context("""
                FROM scratch
                ENV PATH=$PAHT:/tmp/bin
                ARG DIR_ASSETS=assets/
                ARG EMPTY
                WORKDIR /$DIR_ASSET
                ENV A=$EMPTY B=$PATH C=$DIR_ASSETS
                # check=skip=UndefinedVar
                LABEL x=$NOT_REPORTED
                """));
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("Dockerfile:2: UndefinedVar: Usage of undefined variable '$PAHT' (did you mean $PATH?)"),
                built.err());
        assertTrue(built.err().contains("Dockerfile:5: UndefinedVar: Usage of undefined variable '$DIR_ASSET' (did you mean"
                + " $DIR_ASSETS?)"), built.err());
        // each once (the engine expands a word for the key and again to run it), and again in the summary
        assertEquals(4, built.err().split("UndefinedVar: ", -1).length - 1, built.err());
        assertFalse(built.err().contains("NOT_REPORTED"), built.err());
        assertFalse(built.err().contains("$EMPTY"), "an ARG declared without a value is defined on purpose");
    }

    @Test
    @Integration
    void aCopyOfWhatDockerignoreLeavesOutIsCopyIgnoredFile() throws Exception {
        String root = dir.resolve("store").toString();
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve(".dockerignore"), "Dockerfile\n");
        CliTest.Result ignored = CliTest.run("--root", root, "build", "--progress=plain",
                context("FROM scratch\nCOPY ./Dockerfile a.txt /\n"));
        assertEquals(1, ignored.exitCode(), "the file is not in the context the build sees");
        assertTrue(ignored.err().contains("Dockerfile:2: CopyIgnoredFile: Attempting to Copy file \"Dockerfile\" that is excluded"
                + " by .dockerignore"), ignored.err());
        assertFalse(ignored.err().contains("\"a.txt\""), ignored.err());

        Files.writeString(dir.resolve(".dockerignore"), "**\n!Dockerfile\n");
        CliTest.Result reincluded = CliTest.run("--root", root, "build", "--progress=plain", context("FROM scratch\nCOPY ./Dockerfile /\n"));
        assertEquals(0, reincluded.exitCode(), reincluded.err());
        assertFalse(reincluded.err().contains("CopyIgnoredFile"), reincluded.err());

        Files.writeString(dir.resolve(".dockerignore"), "*\n");
        CliTest.Result root2 = CliTest.run("--root", root, "build", "--progress=plain", context("FROM scratch\nCOPY . .\n"));
        assertEquals(0, root2.exitCode(), root2.err());
        assertTrue(root2.err().contains("CopyIgnoredFile: Attempting to Copy file \".\" that is excluded by .dockerignore"), root2.err());

        Files.writeString(dir.resolve(".dockerignore"), "a.txt\n");
        CliTest.Result added = CliTest.run("--root", root, "build", "--progress=plain",
                context("FROM scratch\nADD a.txt Dockerfile /\n"));
        assertEquals(1, added.exitCode(), "the file is not in the context the build sees");
        assertTrue(added.err().contains("Dockerfile:2: CopyIgnoredFile: Attempting to Add file \"a.txt\" that is excluded"
                + " by .dockerignore"), added.err());

        Files.writeString(dir.resolve(".dockerignore"), ".*\n");
        CliTest.Result dotfiles = CliTest.run("--root", root, "build", "--progress=plain", context("FROM scratch\nCOPY . .\n"));
        assertEquals(0, dotfiles.exitCode(), dotfiles.err());
        assertFalse(dotfiles.err().contains("CopyIgnoredFile"), dotfiles.err());
    }
}

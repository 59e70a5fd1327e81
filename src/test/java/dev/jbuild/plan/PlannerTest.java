package dev.jbuild.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.testing.TestResources;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static BuildPlan plan(String dockerfile) throws Exception {
        return plan(dockerfile, Map.of(), null);
    }

    private static BuildPlan plan(String dockerfile, Map<String, String> buildArgs, String target) throws Exception {
        return plan(dockerfile, buildArgs, target, Set.of());
    }

    private static BuildPlan plan(String dockerfile, Map<String, String> buildArgs, String target, Set<String> contexts)
            throws Exception {
        return Planner.plan(DockerfileParser.parse(dockerfile, "Dockerfile"),
                new PlanOptions(buildArgs, target, "linux/arm/v7", "linux/amd64", contexts));
    }

    @Test
    void globalArgsExpandInFromLinesAndBuildArgsOverrideDefaults() throws Exception {
        String dockerfile = """
                ARG BASE=alpine
                ARG MINOR
                ARG TAG=3.$MINOR
                FROM ${BASE}:${TAG}
                """;
        assertEquals(new BaseImage.Image("alpine:3."), plan(dockerfile).stages().get(0).base());
        // A build arg is visible only where an ARG declares it.
        assertEquals(new BaseImage.Image("alpine:3."),
                plan("ARG TAG=3.$MINOR\nFROM alpine:$TAG\n", Map.of("MINOR", "19"), null).stages().get(0).base());
        assertEquals(new BaseImage.Image("debian:3.19"),
                plan(dockerfile, Map.of("BASE", "debian", "MINOR", "19"), null).stages().get(0).base());
    }

    @Test
    void predefinedPlatformArgsAreUsableInFrom() throws Exception {
        BuildPlan plan = plan("FROM --platform=$BUILDPLATFORM golang AS build\nFROM img-$TARGETARCH$TARGETVARIANT\nCOPY --from=build / /\n");
        assertEquals("linux/amd64", plan.stages().get(0).platform());
        assertEquals(new BaseImage.Image("img-armv7"), plan.stages().get(1).base());
        assertEquals("linux/arm/v7", plan.builtinArgs().get("TARGETPLATFORM"));
        assertEquals("arm", plan.builtinArgs().get("TARGETARCH"));
        assertEquals("v7", plan.builtinArgs().get("TARGETVARIANT"));
        assertEquals("amd64", plan.builtinArgs().get("BUILDARCH"));
    }

    @Test
    void stagesAreFoundByNameCaseInsensitivelyAndByIndex() throws Exception {
        BuildPlan plan = plan("""
                FROM alpine AS Build
                FROM scratch AS assets
                FROM build
                COPY --from=1 /a /a
                COPY --from=BUILD /b /b
                """);
        Stage last = plan.targetStage();
        assertEquals(2, last.index());
        assertEquals(new BaseImage.StageResult(0), last.base());
        assertEquals(Set.of(0, 1), last.dependsOn());
        assertEquals("build", plan.stages().get(0).name());
        assertInstanceOf(BaseImage.Scratch.class, plan.stages().get(1).base());
    }

    @Test
    void targetKeepsOnlyTheStagesItNeeds() throws Exception {
        String dockerfile = """
                FROM alpine AS deps
                FROM alpine AS unrelated
                FROM deps AS test
                RUN --mount=type=bind,from=busybox,target=/t true
                FROM alpine AS tools
                """;
        // busybox is no stage: an image reference, which no stage has to build.
        BuildPlan plan = plan(dockerfile, Map.of(), "test");
        assertEquals(List.of(0, 2), plan.stages().stream().map(Stage::index).toList());
        assertEquals(2, plan.target());
    }

    @Test
    void mountFromNamesAStageDependency() throws Exception {
        BuildPlan plan = plan("""
                FROM alpine AS tools
                FROM alpine AS unused
                FROM alpine
                RUN --mount=type=bind,from=tools,source=/bin,target=/t ls /t
                """);
        assertEquals(List.of(0, 2), plan.stages().stream().map(Stage::index).toList());
    }

    @Test
    void copyFromMayUseArgs() throws Exception {
        BuildPlan plan = plan("""
                FROM alpine AS one
                FROM alpine AS two
                FROM scratch
                ARG SRC=one
                COPY --from=${SRC} /x /x
                """, Map.of("SRC", "two"), null);
        assertEquals(Set.of(1), plan.targetStage().dependsOn());
    }

    @Test
    void namedContextsReplaceStagesAndImages() throws Exception {
        BuildPlan plan = plan("""
                FROM alpine AS base
                FROM base
                COPY --from=assets /x /x
                """, Map.of(), null, Set.of("base", "assets", "alpine"));
        assertEquals(new BaseImage.NamedContext("base"), plan.targetStage().base());
        assertEquals(Set.of(), plan.targetStage().dependsOn());
        assertEquals(1, plan.stages().size(), "the stage the context replaces is not built");
        BuildPlan first = plan("FROM alpine AS base\n", Map.of(), null, Set.of("alpine"));
        assertEquals(new BaseImage.NamedContext("alpine"), first.targetStage().base());
    }

    @Test
    void unknownTargetIsAnError() {
        PlanException e = assertThrows(PlanException.class, () -> plan("FROM alpine AS a\n", Map.of(), "b"));
        assertEquals("target stage \"b\" could not be found", e.getMessage());
    }

    @Test
    void aDuplicateStageNameIsAFindingAndTheLaterStageTakesTheName() throws Exception {
        // BuildKit: DuplicateStageName warns, and the name refers to the last stage that has it.
        BuildPlan plan = plan("FROM alpine AS a\nFROM busybox AS A\nFROM a\n");
        assertEquals(List.of("Dockerfile:2: StageNameCasing: Stage name 'A' should be lowercase",
                "Dockerfile:2: DuplicateStageName: Duplicate stage name \"a\", stage names should be unique"),
                plan.findings().stream().map(Object::toString).toList());
        assertEquals(Set.of(1), plan.stage(2).orElseThrow().dependsOn());
    }

    @Test
    void copyFromItselfIsACycle() {
        PlanException e = assertThrows(PlanException.class, () -> plan("FROM alpine AS a\nCOPY --from=a /x /y\n"));
        assertTrue(e.getMessage().contains("circular dependency"), e.getMessage());
        assertThrows(PlanException.class, () -> plan("FROM alpine\nCOPY --from=0 /x /y\n"));
    }

    @Test
    void aLaterStageIsNotAnImageOfItsName() throws Exception {
        // BuildKit: "cannot copy from stage", not a pull of docker.io/library/later.
        PlanException copy = assertThrows(PlanException.class,
                () -> plan("FROM alpine AS first\nCOPY --from=later /x /x\nFROM alpine AS later\n"));
        assertEquals("cannot copy from stage \"later\", it needs to be defined before current stage \"first\"",
                copy.getMessage());
        assertEquals(2, copy.location().startLine());
        PlanException mount = assertThrows(PlanException.class,
                () -> plan("FROM alpine\nRUN --mount=from=Later,target=/src true\nFROM alpine AS later\n"));
        assertEquals("cannot mount from stage \"Later\" to \"/src\", stage needs to be defined before current command",
                mount.getMessage());
        assertEquals(Set.of(0), plan("FROM alpine AS a\nFROM alpine\nCOPY --from=a /x /y\n").stage(1).orElseThrow().dependsOn());
    }

    @Test
    void instructionsBeforeFromAreRejected() {
        PlanException e = assertThrows(PlanException.class, () -> plan("ARG A\nENV B=c\nFROM alpine\n"));
        assertEquals(2, e.location().startLine());
    }

    @Test
    void blankBaseNameIsRejected() {
        PlanException e = assertThrows(PlanException.class, () -> plan("ARG IMAGE\nFROM $IMAGE\n"));
        assertTrue(e.getMessage().contains("should not be blank"), e.getMessage());
    }

    @Test
    void unusedBuildArgsAreReportedButProxyArgsAndDeclaredOnesAreNot() throws Exception {
        BuildPlan plan = plan("""
                ARG GLOBAL
                FROM alpine AS skipped
                ARG ONLY_IN_SKIPPED
                FROM alpine
                ARG USED
                """, Map.of("GLOBAL", "1", "USED", "2", "ONLY_IN_SKIPPED", "3", "TYPO", "4", "HTTP_PROXY", "p"), null);
        assertEquals(List.of("one or more build args were not consumed: ONLY_IN_SKIPPED, TYPO"), plan.warnings());
    }

    @Test
    void aSyntaxDirectiveNamingAnotherFrontendIsSaidToBeNotFollowed() throws Exception {
        for (String docker : List.of("docker/dockerfile:1", "docker.io/docker/dockerfile:1.7-labs", "docker/dockerfile-upstream:master",
                "docker/dockerfile@sha256:ac85f380a63b13dfcefa89046420e1781752bab202122f8f50032edf31be0021")) {
            assertEquals(List.of(), plan("# syntax=" + docker + "\nFROM alpine\n").warnings(), docker);
        }
        assertEquals(List.of("# syntax=example.com/my/frontend:1 is not followed: jbuild reads the Dockerfile with its own frontend"
                + " (BuildKit's docker/dockerfile syntax), not with that image"),
                plan("# syntax=example.com/my/frontend:1\nFROM alpine\n").warnings());
    }

    @Test
    void stageArgNamesAreExpandedAndConsumeTheBuildArgOfTheExpandedName() throws Exception {
        BuildPlan plan = plan("""
                FROM alpine AS tools
                FROM alpine AS other
                FROM alpine
                ARG kind=SOURCE
                ARG ${kind}_STAGE=other
                COPY --from=${SOURCE_STAGE} /x /x
                """, Map.of("SOURCE_STAGE", "tools"), null);
        assertEquals(List.of(), plan.warnings(), "--build-arg SOURCE_STAGE is consumed by ARG ${kind}_STAGE");
        assertEquals(Set.of(0), plan.stages().get(plan.stages().size() - 1).dependsOn(),
                "the expanded name takes the build arg's value");
    }

    @Test
    void stageArgWithoutDefaultInheritsTheGlobalValue() throws Exception {
        BuildPlan plan = plan("""
                ARG SRC=one
                FROM alpine AS one
                FROM scratch
                ARG SRC
                COPY --from=$SRC /x /x
                """);
        assertEquals(Set.of(0), plan.targetStage().dependsOn());
        assertEquals(Map.of("SRC", "one"), plan.globalArgs());
    }

    @Test
    void substitutionsNestedTooDeeplyFailThePlanAtTheirLine() {
        String nested = "${X:-".repeat(5_000) + "x" + "}".repeat(5_000);
        // ENV values and stage ARG defaults are expanded leniently here (the base image's ENV is
        // not known yet), but no environment can make these expand.
        for (String dockerfile : List.of(
                "FROM alpine\nENV X=" + nested + "\n",
                "FROM alpine\nENV " + nested + "=x\n",
                "FROM alpine\nENV X=\"" + "${X:-\"".repeat(3_000) + "\n",
                "FROM alpine\nARG X=" + nested + "\n",
                "ARG X=" + nested + "\nFROM alpine\n",
                "FROM alpine:" + nested + "\n",
                "FROM alpine\nCOPY --from=" + nested + " / /\n")) {
            PlanException e = assertThrows(PlanException.class, () -> plan(dockerfile));
            assertEquals(dockerfile.startsWith("FROM alpine:") ? 1 : dockerfile.startsWith("ARG") ? 1 : 2,
                    e.location().startLine());
            assertTrue(e.getMessage().endsWith("syntax error: substitutions nested more than 100 levels deep"),
                    e.getMessage().substring(e.getMessage().length() - 80));
        }
    }

    @Test
    void argAndEnvNamesThatLookLikeSecretsAreFindingsWhereverDefined() throws Exception {
        // BuildKit's own test case for SecretsUsedInArgOrEnv (dockerfile_check_test.go), plus a repeat,
        // which BuildKit reports again, and a name made by expansion.
        String dockerfile = TestResources.text(PlannerTest.class, "argAndEnvNamesThatLookLikeSecretsAreWarnedAboutOncePerName.Dockerfile");
        BuildPlan plan = plan(dockerfile, Map.of("GITHUB_TOKEN", "hunter2", "auth", "x", "VERSION", "1"), null);
        String prefix = "SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data ";
        assertEquals(List.of(
                "Dockerfile:2: " + prefix + "(ARG \"SECRET_PASSPHRASE\")",
                "Dockerfile:3: " + prefix + "(ENV \"SUPER_Secret\")",
                "Dockerfile:4: " + prefix + "(ENV \"password\")",
                "Dockerfile:4: " + prefix + "(ENV \"secret\")",
                "Dockerfile:5: " + prefix + "(ARG \"super_duper_secret_token\")",
                "Dockerfile:5: " + prefix + "(ARG \"auth\")",
                "Dockerfile:6: " + prefix + "(ENV \"apikey\")",
                "Dockerfile:7: " + prefix + "(ENV \"git_key\")",
                "Dockerfile:13: " + prefix + "(ENV \"password\")",
                "Dockerfile:15: " + prefix + "(ENV \"DB_TOKEN\")"),
                plan.findings().stream().map(Object::toString).toList());
        // a --build-arg no instruction defines is jbuild's own warning; "auth" is defined by line 5
        assertEquals(List.of("--build-arg GITHUB_TOKEN: " + prefix + "(ARG \"GITHUB_TOKEN\"); pass secrets with --secret"
                        + " id=NAME,env=NAME and RUN --mount=type=secret,id=NAME instead"
                        + " (https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/)"),
                plan.warnings().stream().filter(w -> w.contains("SecretsUsedInArgOrEnv")).toList());
        assertTrue(plan.warnings().stream().noneMatch(w -> w.contains("hunter2")), "values are never shown");
    }

    @Test
    void secretFindingsFollowTheCheckOptionsAndOnlyCoverStagesTheBuildRuns() throws Exception {
        BuildPlan skipped = plan("# check=skip=JSONArgsRecommended, SecretsUsedInArgOrEnv\nFROM scratch\nARG TOKEN API_KEY\n",
                Map.of("API_KEY", "x"), null);
        assertEquals(List.of(), skipped.findings());
        assertEquals(List.of(), skipped.warnings());
        assertEquals(List.of(), plan("# check=skip=all\nFROM scratch\nENV PASSWORD=x\n").findings());
        // the build arg replaces the directive
        assertEquals(1, plan("# check=skip=all\nFROM scratch\nENV PASSWORD=x\n",
                Map.of("BUILDKIT_DOCKERFILE_CHECK", "skip=MaintainerDeprecated"), null).findings().size());
        // Global ARGs are not checked (BuildKit checks what it dispatches), nor stages --target skips.
        List<String> findings = plan("ARG TOKEN=x\nFROM scratch AS skipped\nENV PASSWORD=x\nFROM scratch AS built\nARG KEY\n",
                Map.of(), "built").findings().stream().map(Object::toString).toList();
        assertEquals(List.of("Dockerfile:5: SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG \"KEY\")"),
                findings);
    }

    @Test
    void theRulesBuildKitRunsPerStageCoverTheStagesTheBuildRunsAndCheckCoversAll() throws Exception {
        String dockerfile = "FROM scratch AS a\nENV k v\nFROM scratch AS b\nLABEL k v\nmaintainer me\n";
        // whole-file rules (ConsistentInstructionCasing, MaintainerDeprecated) are reported for stage b too
        assertEquals(List.of("Dockerfile:2: LegacyKeyValueFormat: \"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
                        // BuildKit's order on a line: MaintainerDeprecated while parsing, the casing after
                        "Dockerfile:5: MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label",
                        "Dockerfile:5: ConsistentInstructionCasing: Command 'maintainer' should match the case of the command majority (uppercase)"),
                plan(dockerfile, Map.of(), "a").findings().stream().map(Object::toString).toList());
        BuildPlan all = Planner.check(DockerfileParser.parse(dockerfile, "Dockerfile"),
                new PlanOptions(Map.of(), null, "linux/amd64", "linux/amd64", Set.of()));
        assertEquals(4, all.findings().size(), all.findings().toString());
        BuildPlan target = Planner.check(DockerfileParser.parse(dockerfile, "Dockerfile"),
                new PlanOptions(Map.of(), "a", "linux/amd64", "linux/amd64", Set.of()));
        assertEquals(3, target.findings().size(), "--check with --target checks what the target needs");
    }
}

package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckRuleTest {

    @Test
    void theRulesAreBuildKitsWithTheirLinks() {
        // BuildKit's ruleset.go, in its order: names and the documentation pages they link to.
        assertEquals(List.of("StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing",
                "DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated", "UndefinedArgInFrom",
                "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed", "LegacyKeyValueFormat",
                "InvalidBaseImagePlatform", "RedundantTargetPlatform", "SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom",
                "FromPlatformFlagConstDisallowed", "CopyIgnoredFile", "InvalidDefinitionDescription", "ExposeProtoCasing",
                "ExposeInvalidFormat"), Arrays.stream(CheckRule.values()).map(CheckRule::ruleName).toList());
        assertEquals("https://docs.docker.com/go/dockerfile/rule/json-args-recommended/", CheckRule.JSON_ARGS_RECOMMENDED.url());
        assertEquals("https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/",
                CheckRule.FROM_PLATFORM_FLAG_CONST_DISALLOWED.url());
        assertEquals("https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/", CheckRule.SECRETS_USED_IN_ARG_OR_ENV.url());
        assertEquals("", CheckRule.INVALID_BASE_IMAGE_PLATFORM.url(), "BuildKit gives this rule no page");
        assertTrue(CheckRule.INVALID_DEFINITION_DESCRIPTION.experimental());
        assertEquals(1, Arrays.stream(CheckRule.values()).filter(CheckRule::experimental).count());
    }

    @Test
    void messagesQuoteAsGoDoes() {
        assertEquals("Relative workdir \"a\\\"b\\\\c\" can have unexpected results if the base image changes",
                CheckRule.workdirRelativePath("a\"b\\c"));
        assertEquals("Base image alpine was pulled with platform \"linux/arm64\", expected \"linux/amd64\" for current build",
                CheckRule.invalidBaseImagePlatform("alpine", "linux/amd64", "linux/arm64"));
    }

    @Test
    void checkOptionsParseAsBuildKitsParseLintOptions() {
        CheckConfig config = CheckConfig.parse(" skip = JSONArgsRecommended, StageNameCasing ;error=True; experimental=all");
        assertEquals(Set.of("JSONArgsRecommended", "StageNameCasing"), config.skip());
        assertTrue(config.error());
        assertTrue(config.experimentalAll());
        assertFalse(config.reports(CheckRule.STAGE_NAME_CASING));
        assertTrue(config.reports(CheckRule.INVALID_DEFINITION_DESCRIPTION));
        assertFalse(CheckConfig.DEFAULT.reports(CheckRule.INVALID_DEFINITION_DESCRIPTION), "experimental: off by default");
        assertTrue(CheckConfig.parse("skip=all").skipAll());
        assertFalse(CheckConfig.parse("skip=all").reports(CheckRule.MAINTAINER_DEPRECATED));
        assertEquals(CheckConfig.DEFAULT, CheckConfig.parse("  "));
        assertEquals("invalid check option \"skip\"", assertThrows(IllegalArgumentException.class, () -> CheckConfig.parse("skip")).getMessage());
        assertEquals("invalid check option \"foo\"", assertThrows(IllegalArgumentException.class, () -> CheckConfig.parse("foo=1")).getMessage());
        assertEquals("failed to parse check option \"error=yes\": strconv.ParseBool: parsing \"yes\": invalid syntax",
                assertThrows(IllegalArgumentException.class, () -> CheckConfig.parse("error=yes")).getMessage());
    }

    @Test
    void theBuildArgReplacesTheDirective() throws Exception {
        Dockerfile dockerfile = DockerfileParser.parse("# check=skip=all;error=true\nFROM scratch\n", "Dockerfile");
        assertTrue(CheckConfig.of(dockerfile, Map.of()).skipAll());
        CheckConfig fromArg = CheckConfig.of(dockerfile, Map.of("BUILDKIT_DOCKERFILE_CHECK", "skip=StageNameCasing"));
        assertFalse(fromArg.skipAll());
        assertFalse(fromArg.error());
        assertEquals("failed to parse check options: invalid check option \"bogus\"",
                assertThrows(IllegalArgumentException.class,
                        () -> CheckConfig.of(dockerfile, Map.of("BUILDKIT_DOCKERFILE_CHECK", "bogus=1"))).getMessage());
    }

    @Test
    void aViolationNamesEachRuleOnceInTheOrderFound() throws Exception {
        Dockerfile dockerfile = DockerfileParser.parse("FROM scratch AS A\nMAINTAINER me\nMAINTAINER you\n", "Dockerfile");
        CheckConfig config = CheckConfig.parse("error=true");
        assertEquals("lint violation found for rules: StageNameCasing, MaintainerDeprecated",
                config.violation(config.filter(dockerfile.findings(), Map.of())));
        assertNull(CheckConfig.DEFAULT.violation(dockerfile.findings()), "error=false: findings are warnings");
    }
}

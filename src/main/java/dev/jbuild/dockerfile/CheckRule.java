package dev.jbuild.dockerfile;

import java.util.Arrays;
import java.util.Optional;

/**
 * BuildKit's build checks (its {@code frontend/dockerfile/linter/ruleset.go}): the one list of rule
 * names, short descriptions and documentation links. The names, descriptions and URLs are BuildKit's,
 * character for character, because users skip rules by name ({@code # check=skip=}), tools read the
 * JSON of {@code --call=check}, and the links go to Docker's pages for each rule. Each rule's detail
 * message is made where the rule runs, with the method of its constant here, so the text has one owner.
 *
 * <p>{@link #dispatched} marks the rules BuildKit runs while it converts a stage's instructions: a
 * build reports them only for the stages it runs, {@code --check} for every stage. The other rules
 * look at the whole Dockerfile.
 */
public enum CheckRule {
    STAGE_NAME_CASING("StageNameCasing", "Stage names should be lowercase", false, false),
    FROM_AS_CASING("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword", false, false),
    NO_EMPTY_CONTINUATION("NoEmptyContinuation", "Empty continuation lines will become errors in a future release", false,
            false),
    CONSISTENT_INSTRUCTION_CASING("ConsistentInstructionCasing",
            "All commands within the Dockerfile should use the same casing (either upper or lower)", false, false),
    DUPLICATE_STAGE_NAME("DuplicateStageName", "Stage names should be unique", false, false),
    RESERVED_STAGE_NAME("ReservedStageName", "Reserved words should not be used as stage names", false, false),
    JSON_ARGS_RECOMMENDED("JSONArgsRecommended",
            "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals", true, false),
    MAINTAINER_DEPRECATED("MaintainerDeprecated",
            "The MAINTAINER instruction is deprecated, use a label instead to define an image author", false, false),
    UNDEFINED_ARG_IN_FROM("UndefinedArgInFrom", "FROM command must use declared ARGs", false, false),
    WORKDIR_RELATIVE_PATH("WorkdirRelativePath",
            "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
            true, false),
    UNDEFINED_VAR("UndefinedVar", "Variables should be defined before their use", true, false),
    MULTIPLE_INSTRUCTIONS_DISALLOWED("MultipleInstructionsDisallowed",
            "Multiple instructions of the same type should not be used in the same stage", true, false),
    LEGACY_KEY_VALUE_FORMAT("LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used",
            true, false),
    INVALID_BASE_IMAGE_PLATFORM("InvalidBaseImagePlatform", "Base image platform does not match expected target platform",
            true, false),
    REDUNDANT_TARGET_PLATFORM("RedundantTargetPlatform",
            "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior", false, false),
    SECRETS_USED_IN_ARG_OR_ENV("SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands", true,
            false),
    INVALID_DEFAULT_ARG_IN_FROM("InvalidDefaultArgInFrom",
            "Default value for global ARG results in an empty or invalid base image name", false, false),
    FROM_PLATFORM_FLAG_CONST_DISALLOWED("FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value",
            false, false),
    COPY_IGNORED_FILE("CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore", true, false),
    INVALID_DEFINITION_DESCRIPTION("InvalidDefinitionDescription",
            "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
            false, true),
    EXPOSE_PROTO_CASING("ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase", true, false),
    EXPOSE_INVALID_FORMAT("ExposeInvalidFormat",
            "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
            true, false);

    private final String ruleName;
    private final String description;
    private final boolean dispatched;
    private final boolean experimental;

    CheckRule(String ruleName, String description, boolean dispatched, boolean experimental) {
        this.ruleName = ruleName;
        this.description = description;
        this.dispatched = dispatched;
        this.experimental = experimental;
    }

    /** The name users type in {@code # check=skip=} and see in every finding ({@code FromAsCasing}). */
    public String ruleName() {
        return ruleName;
    }

    public String description() {
        return description;
    }

    /**
     * Docker's page for the rule: {@code https://docs.docker.com/go/dockerfile/rule/<kebab-name>/}.
     * InvalidBaseImagePlatform has none in BuildKit, so it is empty.
     */
    public String url() {
        if (this == INVALID_BASE_IMAGE_PLATFORM) {
            return "";
        }
        return "https://docs.docker.com/go/dockerfile/rule/" + ruleName.replaceAll("([a-z])([A-Z])", "$1-$2")
                .replace("JSONArgs", "json-args").toLowerCase(java.util.Locale.ROOT) + "/";
    }

    /** Whether BuildKit runs it while converting a stage (so only for the stages a build runs). */
    public boolean dispatched() {
        return dispatched;
    }

    /**
     * The rules BuildKit runs over the whole file after parsing, with the file's options only: a
     * {@code # check=} comment before an instruction does not change them.
     */
    public boolean wholeFile() {
        return this == NO_EMPTY_CONTINUATION || this == DUPLICATE_STAGE_NAME || this == RESERVED_STAGE_NAME
                || this == CONSISTENT_INSTRUCTION_CASING || this == INVALID_DEFAULT_ARG_IN_FROM;
    }

    /** Experimental rules run only when named in {@code experimental=} (or {@code experimental=all}). */
    public boolean experimental() {
        return experimental;
    }

    public static Optional<CheckRule> byName(String name) {
        return Arrays.stream(values()).filter(r -> r.ruleName.equals(name)).findFirst();
    }

    /** A finding of this rule at {@code location} with the detail {@code message}. */
    public Finding at(Location location, String message) {
        return new Finding(this, message, location);
    }

    // The detail messages, each BuildKit's format with its arguments (Go's %q is goQuote).

    static String stageNameCasing(String stageName) {
        return "Stage name '" + stageName + "' should be lowercase";
    }

    static String fromAsCasing(String from, String as) {
        return "'" + as + "' and '" + from + "' keywords' casing do not match";
    }

    static String noEmptyContinuation() {
        return "Empty continuation line";
    }

    static String consistentInstructionCasing(String command, String casing) {
        return "Command '" + command + "' should match the case of the command majority (" + casing + ")";
    }

    public static String duplicateStageName(String stageName) {
        return "Duplicate stage name " + goQuote(stageName) + ", stage names should be unique";
    }

    public static String reservedStageName(String stageName) {
        return "Stage name should not use the same name as reserved stage " + goQuote(stageName);
    }

    static String jsonArgsRecommended(String instruction) {
        return "JSON arguments recommended for " + instruction + " to prevent unintended behavior related to OS signals";
    }

    static String maintainerDeprecated() {
        return "Maintainer instruction is deprecated in favor of using label";
    }

    public static String undefinedArgInFrom(String arg, String suggestion) {
        return "FROM argument '" + arg + "' is not declared" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)");
    }

    static String workdirRelativePath(String workdir) {
        return "Relative workdir " + goQuote(workdir) + " can have unexpected results if the base image changes";
    }

    public static String undefinedVar(String variable, String suggestion) {
        return "Usage of undefined variable '$" + variable + "'" + (suggestion == null ? "" : " (did you mean $" + suggestion + "?)");
    }

    static String multipleInstructionsDisallowed(String instruction) {
        return "Multiple " + instruction + " instructions should not be used in the same stage because only the last one will be used";
    }

    static String legacyKeyValueFormat(String instruction) {
        return "\"" + instruction + " key=value\" should be used instead of legacy \"" + instruction + " key value\" format";
    }

    public static String invalidBaseImagePlatform(String image, String expected, String actual) {
        return "Base image " + image + " was pulled with platform " + goQuote(actual) + ", expected " + goQuote(expected)
                + " for current build";
    }

    public static String redundantTargetPlatform(String platformVar) {
        return "Setting platform to predefined " + platformVar + " in FROM is redundant as this is the default behavior";
    }

    public static String secretsUsedInArgOrEnv(String instruction, String name) {
        return "Do not use ARG or ENV instructions for sensitive data (" + instruction + " " + goQuote(name) + ")";
    }

    public static String invalidDefaultArgInFrom(String baseName) {
        return "Default value for ARG " + baseName + " results in empty or invalid base image name";
    }

    public static String fromPlatformFlagConstDisallowed(String platform) {
        return "FROM --platform flag should not use constant value " + goQuote(platform);
    }

    public static String copyIgnoredFile(String command, String file) {
        return "Attempting to " + command + " file " + goQuote(file) + " that is excluded by .dockerignore";
    }

    static String invalidDefinitionDescription(String instruction, String name) {
        return "Comment for " + instruction + " should follow the format: `# " + name + " <description>`";
    }

    static String exposeProtoCasing(String port) {
        return "Defined protocol '" + port + "' in EXPOSE instruction should be lowercase";
    }

    static String exposeInvalidFormat(String port) {
        return "EXPOSE instruction should not define an IP address or host-port mapping, found '" + port + "'";
    }

    /** Go's {@code %q} for the printable text names and paths are: quotes and backslashes escaped. */
    static String goQuote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}

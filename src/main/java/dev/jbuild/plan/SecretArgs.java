package dev.jbuild.plan;

import dev.jbuild.dockerfile.Location;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * BuildKit's lint rule SecretsUsedInArgOrEnv: an ARG or ENV whose name looks like a credential
 * puts its value into the image (ENV) or the history and step environments (ARG), where anyone
 * with the image can read it. A name matches when one of its {@code _}-separated words is a
 * secret word ({@code GITHUB_TOKEN}, {@code db_password}, {@code AUTH}) and none is an allowed one
 * ({@code PUBLIC_KEY}, {@code TOKEN_FILE}, {@code AUTH_VERSION}); case does not matter. The words
 * and the message are BuildKit's (dockerfile2llb/validations.go, linter/ruleset.go).
 *
 * <p>jbuild reports each name once per build (the first place it appears), and also checks the
 * names of {@code --build-arg}s, since a value typed on the command line is one the user meant to
 * pass in. Values are never part of a message.
 */
final class SecretArgs {

    static final String RULE = "SecretsUsedInArgOrEnv";
    static final String URL = "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/";

    private static final Pattern DENY = words("apikey", "auth", "credential", "credentials", "key", "password",
            "pword", "passwd", "secret", "token");
    private static final Pattern ALLOW = words("public", "file", "version");

    /** Name → warning, in the order found; one per name. */
    private final Map<String, String> warnings = new LinkedHashMap<>();
    private final boolean skipped;

    /** @param checkDirective the value of the Dockerfile's {@code # check=} directive, or null */
    SecretArgs(String checkDirective) {
        this.skipped = skips(checkDirective);
    }

    static boolean looksSecret(String name) {
        return DENY.matcher(name).find() && !ALLOW.matcher(name).find();
    }

    /** An {@code ARG} or {@code ENV} (the keyword) defining {@code name} at {@code location}. */
    void defined(String instruction, String name, Location location) {
        if (!skipped && looksSecret(name)) {
            warnings.putIfAbsent(name, location.prefix() + ": " + message(instruction, name) + hint());
        }
    }

    /** A {@code --build-arg}; only warned about when no ARG or ENV of that name already was. */
    void buildArg(String name) {
        if (!skipped && looksSecret(name)) {
            warnings.putIfAbsent(name, "--build-arg " + name + ": " + message("ARG", name) + hint());
        }
    }

    List<String> warnings() {
        return List.copyOf(warnings.values());
    }

    /** BuildKit's detail text, word for word. */
    static String message(String instruction, String name) {
        return RULE + ": Do not use ARG or ENV instructions for sensitive data (" + instruction + " \"" + name + "\")";
    }

    private static String hint() {
        return "; pass secrets with --secret id=NAME,env=NAME and RUN --mount=type=secret,id=NAME instead (" + URL + ")";
    }

    /** {@code # check=skip=SecretsUsedInArgOrEnv} or {@code skip=all} turns the rule off, as in BuildKit. */
    private static boolean skips(String directive) {
        if (directive == null) {
            return false;
        }
        for (String option : directive.split(";")) {
            int eq = option.indexOf('=');
            if (eq < 0 || !option.substring(0, eq).trim().equals("skip")) {
                continue;
            }
            String value = option.substring(eq + 1).trim();
            if (value.equals("all") || Arrays.stream(value.split(",")).map(String::trim).anyMatch(RULE::equals)) {
                return true;
            }
        }
        return false;
    }

    /** Any of {@code words} as a whole {@code _}-separated word of the name. */
    private static Pattern words(String... words) {
        return Pattern.compile("(?:_|^)(?:" + String.join("|", words) + ")(?:_|\\z)",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE); // Go's (?i) folds Unicode; its $ is \z
    }
}

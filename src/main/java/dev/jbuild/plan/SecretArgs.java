package dev.jbuild.plan;

import dev.jbuild.dockerfile.CheckRule;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Location;
import java.util.regex.Pattern;

/**
 * BuildKit's lint rule SecretsUsedInArgOrEnv: an ARG or ENV whose name looks like a credential
 * puts its value into the image (ENV) or the history and step environments (ARG), where anyone
 * with the image can read it. A name matches when one of its {@code _}-separated words is a
 * secret word ({@code GITHUB_TOKEN}, {@code db_password}, {@code AUTH}) and none is an allowed one
 * ({@code PUBLIC_KEY}, {@code TOKEN_FILE}, {@code AUTH_VERSION}); case does not matter. The words
 * are BuildKit's (dockerfile2llb/validations.go), the message {@link CheckRule}'s.
 *
 * <p>jbuild also checks the names of {@code --build-arg}s, since a value typed on the command line is
 * one the user meant to pass in: a plain warning (it has no line), not a finding. Values are never
 * part of a message.
 */
final class SecretArgs {

    private static final Pattern DENY = words("apikey", "auth", "credential", "credentials", "key", "password",
            "pword", "passwd", "secret", "token");
    private static final Pattern ALLOW = words("public", "file", "version");

    private SecretArgs() {}

    static boolean looksSecret(String name) {
        return DENY.matcher(name).find() && !ALLOW.matcher(name).find();
    }

    /** The finding for an {@code ARG} or {@code ENV} (the keyword) defining {@code name} at {@code location}, or null. */
    static Finding defined(String instruction, String name, Location location) {
        return looksSecret(name)
                ? CheckRule.SECRETS_USED_IN_ARG_OR_ENV.at(location, CheckRule.secretsUsedInArgOrEnv(instruction, name))
                : null;
    }

    /** The warning for a {@code --build-arg} whose name looks secret, or null. */
    static String buildArg(String name) {
        if (!looksSecret(name)) {
            return null;
        }
        CheckRule rule = CheckRule.SECRETS_USED_IN_ARG_OR_ENV;
        return "--build-arg " + name + ": " + rule.ruleName() + ": " + CheckRule.secretsUsedInArgOrEnv("ARG", name)
                + "; pass secrets with --secret id=NAME,env=NAME and RUN --mount=type=secret,id=NAME instead (" + rule.url() + ")";
    }

    /** Any of {@code words} as a whole {@code _}-separated word of the name. */
    private static Pattern words(String... words) {
        return Pattern.compile("(?:_|^)(?:" + String.join("|", words) + ")(?:_|\\z)",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE); // Go's (?i) folds Unicode; its $ is \z
    }
}
